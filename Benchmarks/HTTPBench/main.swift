print("HTTPBench: not built yet")
