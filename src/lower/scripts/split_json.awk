# Writes each key of the JSON object in the environment variable named by `var` to the
# file `dir/<key>`: strings unescaped, other values as their JSON text. POSIX awk (busybox);
# run with LC_ALL=C so that `%c` writes bytes. A malformed object, or a key that cannot be
# a file name, fails the container.
function fail(m) { print "compose2cfn: " m > "/dev/stderr"; exit 1 }
function ws() { while (i <= n && index(" \t\r\n", substr(s, i, 1)) > 0) i++ }
function hex(h,   k, v, c) {
  v = 0
  for (k = 1; k <= 4; k++) {
    c = index("0123456789abcdef", tolower(substr(h, k, 1)))
    if (c == 0) fail("malformed \\u escape")
    v = v * 16 + c - 1
  }
  return v
}
function utf8(c) {
  if (c < 128) return sprintf("%c", c)
  if (c < 2048) return sprintf("%c%c", 192 + int(c / 64), 128 + c % 64)
  return sprintf("%c%c%c", 224 + int(c / 4096), 128 + int(c / 64) % 64, 128 + c % 64)
}
function str(   out, c) {
  i++
  out = ""
  while (i <= n) {
    c = substr(s, i, 1)
    if (c == "\"") { i++; return out }
    if (c == "\\") {
      i++
      c = substr(s, i, 1)
      if (c == "n") c = "\n"
      else if (c == "t") c = "\t"
      else if (c == "r") c = "\r"
      else if (c == "b") c = "\b"
      else if (c == "f") c = "\f"
      else if (c == "u") { c = utf8(hex(substr(s, i + 1, 4))); i += 4 }
    }
    out = out c
    i++
  }
  fail("unterminated string")
}
function value(   start, depth, c, q) {
  if (substr(s, i, 1) == "\"") return str()
  start = i
  depth = 0
  q = 0
  while (i <= n) {
    c = substr(s, i, 1)
    if (q) { if (c == "\\") i++; else if (c == "\"") q = 0 }
    else if (c == "\"") q = 1
    else if (c == "{" || c == "[") depth++
    else if (c == "}" || c == "]") { if (depth == 0) break; depth-- }
    else if (c == "," && depth == 0) break
    i++
  }
  c = substr(s, start, i - start)
  sub(/[ \t\r\n]+$/, "", c)
  return c
}
BEGIN {
  s = ENVIRON[var]
  n = length(s)
  i = 1
  ws()
  if (substr(s, i, 1) != "{") fail("the secret is not a JSON object")
  i++
  ws()
  if (substr(s, i, 1) == "}") exit 0
  while (1) {
    ws()
    if (substr(s, i, 1) != "\"") fail("a key of the secret is not a string")
    k = str()
    if (k == "" || k == "." || k == ".." || index(k, "/") > 0) fail("the key [" k "] cannot be a file name")
    ws()
    if (substr(s, i, 1) != ":") fail("malformed JSON after the key [" k "]")
    i++
    ws()
    v = value()
    f = dir "/" k
    printf "%s", v > f
    close(f)
    ws()
    c = substr(s, i, 1)
    i++
    if (c == "}") exit 0
    if (c != ",") fail("malformed JSON after the key [" k "]")
  }
}
