-- wrk script: POST /api/v1/payments/charges, a new charge each time (a unique Idempotency-Key per request).
-- Arguments: the API key.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  key = args[1]
end

function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key,
    ["Idempotency-Key"] = "bench-" .. thread_id .. "-" .. counter .. "-" .. math.random(1, 1000000000),
  }
  return wrk.format("POST", "/api/v1/payments/charges", headers,
    '{"amount": 1999, "currency": "usd", "paymentMethod": "pm_card_visa", "metadata": {"order": "' .. counter .. '"}}')
end
