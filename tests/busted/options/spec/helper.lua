-- runs in the global environment, with the Xhelper options as `arg`
HELPER_ARG = table.concat(arg, ",")
ao = { id = "process-id" }
