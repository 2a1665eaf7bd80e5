print("apptier: not built yet")
