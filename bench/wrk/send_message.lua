-- wrk script: SQS SendMessage over AWS JSON 1.0, as the SDKs send it (unsigned signature:
-- eventbrokerd parses but does not verify it). Environment: EB_QUEUE_PREFIX (the queue URL
-- without its index, e.g. http://127.0.0.1:4566/000000000000/scale-), EB_QUEUES (how many
-- queues, named PREFIX0..PREFIXn-1; requests go to them round robin).
local prefix = os.getenv("EB_QUEUE_PREFIX") or "http://127.0.0.1:4566/000000000000/scale-"
local queues = tonumber(os.getenv("EB_QUEUES") or "1")
local date = os.date("!%Y%m%dT%H%M%SZ")
local headers = {
  ["Content-Type"] = "application/x-amz-json-1.0",
  ["X-Amz-Target"] = "AmazonSQS.SendMessage",
  ["X-Amz-Date"] = date,
  ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKID/" .. date:sub(1, 8) ..
    "/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000",
}
local body_text = string.rep("x", 100)

local requests = {}
local next_request = 1
init = function(args)
  -- One prebuilt request per queue (each wrk thread has its own copy of this state).
  for i = 0, queues - 1 do
    local body = '{"QueueUrl":"' .. prefix .. i .. '","MessageBody":"' .. body_text .. '"}'
    requests[#requests + 1] = wrk.format("POST", "/", headers, body)
  end
end

request = function()
  local r = requests[next_request]
  next_request = next_request % #requests + 1
  return r
end
