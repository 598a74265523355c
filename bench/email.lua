-- wrk script: POST /api/v1/email, a new message each time. Arguments: the API key.
local counter = 0

function init(args)
  key = args[1]
end

function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key,
  }
  return wrk.format("POST", "/api/v1/email", headers,
    '{"to": ["ann@example.com"], "subject": "Order ' .. counter .. '", "text": "Thanks for your order."}')
end
