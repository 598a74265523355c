-- wrk script: POSTs the Stripe-signed events of a file (written by SignStripeEvents.java) to /webhooks/stripe, each
-- once; the threads share the file out between them. Arguments after "--": the file, the number of threads.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(args[2])
  requests = {}
  local i = 0
  for line in io.lines(args[1]) do
    if i % nthreads == id then
      local tab = line:find("\t", 1, true)
      requests[#requests + 1] = wrk.format("POST", "/webhooks/stripe",
        { ["Content-Type"] = "application/json", ["Stripe-Signature"] = line:sub(1, tab - 1) }, line:sub(tab + 1))
    end
    i = i + 1
  end
  total = #requests
  sent = 0
end

function request()
  sent = sent + 1
  return requests[(sent - 1) % #requests + 1]
end

function done(summary, latency, requests)
  local repeated = 0
  for _, thread in ipairs(threads) do
    local over = thread:get("sent") - thread:get("total")
    if over > 0 then repeated = repeated + over end
  end
  io.write(string.format("repeated events (answered as duplicates): %d\n", repeated))
end
