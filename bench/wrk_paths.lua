-- wrk -t2 -c16 -d10s -s bench/wrk_paths.lua http://127.0.0.1:PORT -- PATHS_FILE [PAUSE_MS]
--
-- Each request asks for the next path of PATHS_FILE (one path a line, query string included,
-- already percent-encoded), round and round; each thread starts at its own place in the list.
-- bench/scale.py writes the file from the loaded graph (measures, zone x scope pairs, words of
-- titles), so that the figure is that of many different answers, not of one answer served again.
-- PAUSE_MS: each connection waits that long after each answer before its next request, so that C
-- connections offer about C / (PAUSE_MS + latency) requests per ms: a paced load instead of saturation.

local threads = 0
local paths = {}
local next_index = 0
local pause = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  local file = args[1] or error("usage: wrk ... -s wrk_paths.lua URL -- PATHS_FILE")
  for line in io.lines(file) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  if #paths == 0 then
    error("no paths in " .. file)
  end
  next_index = (id * math.floor(#paths / 2 + 1)) % #paths  -- id: set by setup() for this thread
  pause = tonumber(args[2] or "0")
  if pause > 0 then  -- wrk looks for delay() after init(): without a pause, the plain closed loop
    delay = function() return pause end
  end
end

function request()
  next_index = next_index % #paths + 1
  return wrk.format("GET", paths[next_index])
end
