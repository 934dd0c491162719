-- S2: every request wrk sends is DEPTH (default 16) pipelined GETs in one write;
-- wrk counts each response, so Requests/sec is responses per second.
-- Usage: wrk -t1 -c50 -d5s -s bench/wrk/pipeline.lua http://127.0.0.1:PORT/ -- 16
init = function(args)
  local depth = tonumber(args[1]) or 16
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format(nil, "/")
  end
  req = table.concat(r)
end

request = function()
  return req
end
