return { name = "tools" }
