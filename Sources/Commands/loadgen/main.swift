print("loadgen: not built yet")
