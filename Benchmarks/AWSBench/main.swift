print("awsbench: not built yet")
