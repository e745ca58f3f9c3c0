-- wrk script for bench/password_flood.sh: every request is a failed sign-in for
-- a username never used before (so the brute-force lock, which is per username,
-- never stops it and each one costs a full Argon2id check of the dummy digest).
--
-- FLOOD_MODE  login     POST /oauth/login with a double-submit CSRF token
--             password  POST /oauth/token grant_type=password, client_secret_basic
-- FLOOD_AUTH  the Authorization header for `password`
--
-- Prints one line: RESULT requests checked(401/400) busy(503) locked(429) other

local mode = os.getenv("FLOOD_MODE") or "login"
local csrf = string.rep("a", 43)
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  n, checked, busy, locked, other = 0, 0, 0, 0, 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  if mode == "login" then
    wrk.headers["Cookie"] = "oauth_login_csrf=" .. csrf
  else
    wrk.headers["Authorization"] = os.getenv("FLOOD_AUTH")
  end
end

function request()
  n = n + 1
  local user = "flood-" .. id .. "-" .. n
  local body
  if mode == "login" then
    body = "username=" .. user .. "&password=wrong&csrf_token=" .. csrf
  else
    body = "grant_type=password&username=" .. user .. "&password=wrong"
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 401 or status == 400 then
    checked = checked + 1
  elseif status == 503 then
    busy = busy + 1
  elseif status == 429 then
    locked = locked + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local c, b, l, o = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("checked")
    b = b + t:get("busy")
    l = l + t:get("locked")
    o = o + t:get("other")
  end
  io.write(string.format("RESULT %d %d %d %d %d\n", summary.requests, c, b, l, o))
end
