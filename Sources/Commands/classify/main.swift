print("classify: not built yet")
