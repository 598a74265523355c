-- wrk script: the same POST to the bare route, with a body of the size of a benchmark event.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.rep("x", 300)
