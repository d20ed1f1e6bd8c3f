-- wrk script used by `ipqa bench`: POST /ask, a different question on every request.
-- WRK_ASK_BODIES names a file of JSON request bodies, one per line; they are sent in
-- order and start over only if the run outlasts them (the bench reports that as repeats).
local bodies = {}
for line in io.lines(os.getenv("WRK_ASK_BODIES")) do
  bodies[#bodies + 1] = line
end
local sent = 0
local headers = { ["Content-Type"] = "application/json" }

request = function()
  sent = sent % #bodies + 1
  return wrk.format("POST", "/ask", headers, bodies[sent])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "non_2xx": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "bodies": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), #bodies))
end
