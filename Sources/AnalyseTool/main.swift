print("tollgate-analyse: not yet implemented")
