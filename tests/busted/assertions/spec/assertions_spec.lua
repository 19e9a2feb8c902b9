-- Every luassert assertion and modifier, passing and failing, with and without a failure message.
-- tests/busted/test_assertions.py runs this file under pytest and under real busted and compares
-- each test's outcome and the first line of its failure text.  Each case is
--   { name, passing(...), failing(...) }
-- and is called once with no extra argument and once with the message "the message".
local function boom() error("boom") end
local function boom_table() error({ code = 7 }) end
local function fine() return 1 end

-- a custom assertion registered the way real suites do it (say + assert:register)
local say = require("say")
local function has_property(state, arguments)
  local property, tbl = arguments[1], arguments[2]
  if type(tbl) ~= "table" then return false end
  return tbl[property] ~= nil
end
say:set("assertion.has_property.positive", "Expected property %s in:\n%s")
say:set("assertion.has_property.negative", "Expected property %s to not be in:\n%s")
assert:register("assertion", "has_property", has_property, "assertion.has_property.positive",
  "assertion.has_property.negative")

-- a custom matcher
local function is_even(_, _) return function(v) return type(v) == "number" and v % 2 == 0 end end
assert:register("matcher", "even", is_even)

local function called_spy(n, ...)
  local s = spy.new(function(...) return ... end)
  for _ = 1, n do s(...) end
  return s
end

local cases = {
  { "equal", function(...) assert.equal(1, 1, ...) end, function(...) assert.equal(1, 2, ...) end },
  { "equals", function(...) assert.equals("a", "a", ...) end, function(...) assert.equals("a", "b", ...) end },
  { "are.equal", function(...) assert.are.equal(true, true, ...) end,
    function(...) assert.are.equal(true, false, ...) end },
  { "is_not.equal", function(...) assert.is_not.equal(1, 2, ...) end,
    function(...) assert.is_not.equal(1, 1, ...) end },
  { "not_equals", function(...) assert.not_equals({}, {}, ...) end,
    function(...) local t = {}; assert.not_equals(t, t, ...) end },
  { "equal nils", function(...) assert.equal(nil, nil, ...) end, function(...) assert.equal(nil, false, ...) end },
  { "same", function(...) assert.same({ a = { 1, 2 } }, { a = { 1, 2 } }, ...) end,
    function(...) assert.same({ a = { 1, 2 } }, { a = { 1, 3 } }, ...) end },
  { "are.same", function(...) assert.are.same("x", "x", ...) end, function(...) assert.are.same("x", "y", ...) end },
  { "is_not_same", function(...) assert.is_not_same({ 1 }, { 2 }, ...) end,
    function(...) assert.is_not_same({ 1 }, { 1 }, ...) end },
  { "same nils", function(...) assert.same(nil, nil, ...) end, function(...) assert.same(nil, {}, ...) end },
  { "truthy", function(...) assert.truthy(0, ...) end, function(...) assert.truthy(nil, ...) end },
  { "is_truthy", function(...) assert.is_truthy("", ...) end, function(...) assert.is_truthy(false, ...) end },
  { "is_not.truthy", function(...) assert.is_not.truthy(nil, ...) end,
    function(...) assert.is_not.truthy(1, ...) end },
  { "falsy", function(...) assert.falsy(false, ...) end, function(...) assert.falsy(0, ...) end },
  { "is_falsy nil", function(...) assert.is_falsy(nil, ...) end, function(...) assert.is_falsy({}, ...) end },
  { "is_true", function(...) assert.is_true(true, ...) end, function(...) assert.is_true(1, ...) end },
  { "is_false", function(...) assert.is_false(false, ...) end, function(...) assert.is_false(nil, ...) end },
  { "is_nil", function(...) assert.is_nil(nil, ...) end, function(...) assert.is_nil(0, ...) end },
  { "is_not_nil", function(...) assert.is_not_nil(0, ...) end, function(...) assert.is_not_nil(nil, ...) end },
  { "is_number", function(...) assert.is_number(1.5, ...) end, function(...) assert.is_number("1", ...) end },
  { "is_string", function(...) assert.is_string("s", ...) end, function(...) assert.is_string(1, ...) end },
  { "is_table", function(...) assert.is_table({}, ...) end, function(...) assert.is_table("t", ...) end },
  { "is_function", function(...) assert.is_function(print, ...) end,
    function(...) assert.is_function({}, ...) end },
  { "is_boolean", function(...) assert.is_boolean(false, ...) end, function(...) assert.is_boolean(0, ...) end },
  { "is_not_string", function(...) assert.is_not_string(1, ...) end,
    function(...) assert.is_not_string("s", ...) end },
  { "has_error", function(...) assert.has_error(boom, "boom", ...) end,
    function(...) assert.has_error(boom, "bang", ...) end },
  { "error any", function(...) assert.error(boom, ...) end, function(...) assert.error(fine, ...) end },
  { "has_no.errors", function(...) assert.has_no.errors(fine, ...) end,
    function(...) assert.has_no.errors(boom, ...) end },
  { "has_error table", function(...) assert.has_error(boom_table, { code = 7 }, ...) end,
    function(...) assert.has_error(boom_table, { code = 8 }, ...) end },
  { "error_matches", function(...) assert.error_matches(boom, "bo+m", ...) end,
    function(...) assert.error_matches(boom, "^bang", ...) end },
  { "error_matches plain", function(...) assert.error_matches(boom, "o", 1, true, ...) end,
    function(...) assert.error_matches(boom, "%w+x", 1, true, ...) end },
  { "has_no_error_match", function(...) assert.has_no_error_match(boom, "bang", ...) end,
    function(...) assert.has_no_error_match(boom, "boom", ...) end },
  { "matches", function(...) assert.matches("^a%d$", "a1", ...) end,
    function(...) assert.matches("^a%d$", "b1", ...) end },
  { "match init", function(...) assert.match("b", "abc", 2, ...) end,
    function(...) assert.match("a", "abc", 2, ...) end },
  { "matches number", function(...) assert.matches("^12", 123, ...) end,
    function(...) assert.matches("^23", 123, ...) end },
  { "does_not.match", function(...) assert.does_not.match("x", "abc", ...) end,
    function(...) assert.does_not.match("a", "abc", ...) end },
  { "near", function(...) assert.near(1.0, 1.05, 0.1, ...) end, function(...) assert.near(1.0, 1.5, 0.1, ...) end },
  { "is_not.near", function(...) assert.is_not.near(1, 3, 1, ...) end,
    function(...) assert.is_not.near(1, 1.5, 1, ...) end },
  { "unique", function(...) assert.unique({ 1, 2, 3 }, ...) end, function(...) assert.unique({ 1, 2, 1 }, ...) end },
  { "unique deep", function(...) assert.unique({ { 1 }, { 2 } }, true, ...) end,
    function(...) assert.unique({ { 1 }, { 1 } }, true, ...) end },
  { "returned_arguments", function(...) assert.returned_arguments(2, "a", "b") end,
    function(...) assert.returned_arguments(3, "a", ...) end },
  { "message modifier", function(...) assert.message("from modifier").equal(1, 1, ...) end,
    function(...) assert.message("from modifier").equal(1, 2, ...) end },
  { "spy called", function(...) assert.spy(called_spy(2), ...).was.called(2) end,
    function(...) assert.spy(called_spy(1), ...).was.called(2) end },
  { "spy called any", function(...) assert.spy(called_spy(1), ...).was.called() end,
    function(...) assert.spy(called_spy(0), ...).was.called() end },
  { "spy was_not.called", function(...) assert.spy(called_spy(0), ...).was_not.called() end,
    function(...) assert.spy(called_spy(3), ...).was_not.called() end },
  { "called_at_least", function(...) assert.spy(called_spy(3), ...).was.called_at_least(2) end,
    function(...) assert.spy(called_spy(1), ...).was.called_at_least(2) end },
  { "called_at_most", function(...) assert.spy(called_spy(1), ...).was.called_at_most(2) end,
    function(...) assert.spy(called_spy(3), ...).was.called_at_most(2) end },
  { "called_more_than", function(...) assert.spy(called_spy(3), ...).was.called_more_than(2) end,
    function(...) assert.spy(called_spy(2), ...).was.called_more_than(2) end },
  { "called_less_than", function(...) assert.spy(called_spy(1), ...).was.called_less_than(2) end,
    function(...) assert.spy(called_spy(2), ...).was.called_less_than(2) end },
  { "called_with", function(...) assert.spy(called_spy(1, "a", 2), ...).was.called_with("a", 2) end,
    function(...) assert.spy(called_spy(1, "a", 2), ...).was.called_with("a", 3) end },
  { "called_with matchers", function(...)
      assert.spy(called_spy(1, "a", 4), ...).was.called_with(match.is_string(), match.is_even())
    end, function(...)
      assert.spy(called_spy(1, "a", 3), ...).was.called_with(match._, match.is_even())
    end },
  { "was_not.called_with", function(...) assert.spy(called_spy(1, "a"), ...).was_not.called_with("b") end,
    function(...) assert.spy(called_spy(1, "a"), ...).was_not.called_with("a") end },
  { "returned_with", function(...) assert.spy(called_spy(1, 5), ...).returned_with(5) end,
    function(...) assert.spy(called_spy(1, 5), ...).returned_with(6) end },
  { "stub called", function(...)
      local t = { f = function() end }
      stub(t, "f")
      t.f(1)
      assert.stub(t.f, ...).was.called_with(1)
    end, function(...)
      local t = { f = function() end }
      stub(t, "f")
      assert.stub(t.f, ...).was.called()
    end },
  { "array holes", function(...) assert.array({ 1, nil, 3 }).has.holes() end,
    function(...) assert.array({ 1, 2, 3 }).has.holes() end },
  { "array no holes", function(...) assert.array({ 1, 2 }).has.no.holes() end,
    function(...) assert.array({ 1, nil, 3 }).has.no.holes() end },
  { "custom has_property", function(...) assert.has_property("a", { a = 1 }, ...) end,
    function(...) assert.has_property("b", { a = 1 }, ...) end },
  { "custom no.has_property", function(...) assert.no.has_property("b", { a = 1 }, ...) end,
    function(...) assert.no.has_property("a", { a = 1 }, ...) end },
  { "plain assert", function(...) assert(true, ...) end, function(...) assert(false, ...) end },
  { "too few arguments", function(...) assert.equal(1, 1) end, function(...) assert.equal(...) end },
  { "is_nil no argument", function(...) assert.is_nil(...) end, function(...) assert.is_not_nil(...) end },
  { "unknown word", function(...) assert.is_number(1) end, function(...) assert.is_a_number(1, ...) end },
  { "returns its arguments", function(...)
      local v = assert.is_truthy(42, ...)
      assert.equal(42, v)
    end, function(...)
      local e = assert.has_error(boom, nil, ...)
      assert.equal("nope", e, ...)
    end },
}

for _, case in ipairs(cases) do
  describe(case[1], function()
    it("passes", function() case[2]() end)
    it("passes with a message", function() case[2]("the message") end)
    it("fails", function() case[3]() end)
    it("fails with a message", function() case[3]("the message") end)
  end)
end
