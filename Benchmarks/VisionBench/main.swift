print("VisionBench: not built yet")
