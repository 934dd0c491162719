-- S5: JSON echo, POST /echo with a 1024-byte JSON body (an array of small objects,
-- padded to exactly 1024 bytes) and Content-Type: application/json.
-- Usage: wrk -t1 -c50 -d5s -s bench/wrk/echo.lua http://127.0.0.1:PORT/echo
local items = {}
local len = 0
local i = 0
while len < 900 do
  local item = string.format('{"id":%d,"name":"item-%d","price":%d.5,"ok":true}', i, i, i * 3)
  items[#items + 1] = item
  len = len + #item + 1
  i = i + 1
end
local body = '{"items":[' .. table.concat(items, ",") .. '],"pad":"'
body = body .. string.rep("x", 1024 - #body - 2) .. '"}'

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
