print("webtier: not built yet")
