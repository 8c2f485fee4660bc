"""A Kubernetes-style JSONPath evaluator (the subset OCM feedback rules and ignoreFields use).

Semantics follow client-go's util/jsonpath with AllowMissingKeys(true), which is how the OCM work
agent evaluates `feedbackRules[].jsonPaths[].path` (wrapped in `{...}`):

  - the path is evaluated against the WHOLE object: `.status.readyReplicas`;
  - an optional surrounding `{...}` is accepted (`{.status.replicas}`);
  - steps: `.field`, `['field']` / `["field"]`, `.*` / `[*]` (all values), `[n]` (negative counts
    from the end), `[start:end]`, `[a,b]` (unions of indexes or quoted names), `..field` (recursive
    descent) and filters `[?(@.a.b == "x")]` with `==` `!=` `<` `<=` `>` `>=`, bare existence
    `[?(@.a)]`, and `&&` / `||` between comparisons;
  - literals in filters: "string", 'string', integers, floats, true, false, null;
  - a missing key or an index out of range yields no result (never an error);
  - filtering something that is not a list is an error, as in client-go.

API:
  parse(path) -> list of steps (raises JSONPathError on syntax errors)
  find(obj, path) -> list of matched values (in document order)
  locate(obj, path) -> list of (parent, key) pairs, for deleting/replacing matched fields
Limits: a path longer than MAX_PATH characters is refused.
"""

import re

MAX_PATH = 4096


class JSONPathError(ValueError):
	"""A syntax error in a path or an evaluation error (e.g. filtering a non-list)."""


_NAME_CHARS = re.compile(r"[^.\[\]\s{}()=!<>&|,'\"@$]+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


class _Parser:
	def __init__(self, text):
		self.s = text
		self.i = 0

	def peek(self, n=1):
		return self.s[self.i:self.i + n]

	def eof(self):
		return self.i >= len(self.s)

	def skip_ws(self):
		while not self.eof() and self.s[self.i] in " \t":
			self.i += 1

	def expect(self, tok):
		if self.s[self.i:self.i + len(tok)] != tok:
			raise JSONPathError("expected %r at offset %d in %r" % (tok, self.i, self.s))
		self.i += len(tok)

	def name(self):
		m = _NAME_CHARS.match(self.s, self.i)
		if not m:
			raise JSONPathError("expected a field name at offset %d in %r" % (self.i, self.s))
		self.i = m.end()
		return m.group(0)

	def quoted(self):
		q = self.s[self.i]
		self.i += 1
		out = []
		while not self.eof():
			c = self.s[self.i]
			if c == "\\" and self.i + 1 < len(self.s):
				out.append(self.s[self.i + 1])
				self.i += 2
				continue
			if c == q:
				self.i += 1
				return "".join(out)
			out.append(c)
			self.i += 1
		raise JSONPathError("unterminated string in %r" % self.s)

	def steps(self, relative=False):
		"""Parse steps until the end (or, for a filter operand, until an operator/closing paren)."""
		out = []
		while not self.eof():
			c = self.peek()
			if c == ".":
				if self.peek(2) == "..":
					self.i += 2
					if self.peek() == "*":
						self.i += 1
						out.append(("recursive", None))
					else:
						out.append(("recursive", self.name()))
					continue
				self.i += 1
				if self.eof():
					break  # a trailing "." (or the bare ".") selects the current value
				if self.peek() == "*":
					self.i += 1
					out.append(("wildcard",))
				elif self.peek() in ".[":
					continue
				else:
					out.append(("field", self.name()))
			elif c == "[":
				out.append(self.bracket())
			elif relative:
				break
			else:
				raise JSONPathError("unexpected %r at offset %d in %r" % (c, self.i, self.s))
		return out

	def bracket(self):
		self.expect("[")
		self.skip_ws()
		c = self.peek()
		if c == "?":
			self.i += 1
			self.skip_ws()
			self.expect("(")
			expr = self.filter_or()
			self.skip_ws()
			self.expect(")")
			self.skip_ws()
			self.expect("]")
			return ("filter", expr)
		if c == "*":
			self.i += 1
			self.skip_ws()
			self.expect("]")
			return ("wildcard",)
		items = []
		while True:
			self.skip_ws()
			c = self.peek()
			if c in ("'", '"'):
				items.append(("name", self.quoted()))
			else:
				m = re.compile(r"(-?\d*)\s*(?::\s*(-?\d*))?(?:\s*:\s*(-?\d*))?").match(self.s, self.i)
				if not m or m.end() == self.i:
					raise JSONPathError("bad subscript at offset %d in %r" % (self.i, self.s))
				self.i = m.end()
				if m.group(2) is None and ":" not in m.group(0):
					items.append(("index", int(m.group(1))))
				else:
					start = int(m.group(1)) if m.group(1) not in ("", "-") else None
					end = int(m.group(2)) if m.group(2) not in (None, "", "-") else None
					step = int(m.group(3)) if m.group(3) not in (None, "", "-") else None
					if step == 0:
						raise JSONPathError("slice step cannot be zero in %r" % self.s)
					items.append(("slice", start, end, step))
			self.skip_ws()
			if self.peek() == ",":
				self.i += 1
				continue
			self.expect("]")
			break
		if len(items) == 1:
			it = items[0]
			return ("field", it[1]) if it[0] == "name" else it
		return ("union", items)

	def filter_or(self):
		left = self.filter_and()
		while True:
			self.skip_ws()
			if self.peek(2) == "||":
				self.i += 2
				left = ("or", left, self.filter_and())
			else:
				return left

	def filter_and(self):
		left = self.filter_cmp()
		while True:
			self.skip_ws()
			if self.peek(2) == "&&":
				self.i += 2
				left = ("and", left, self.filter_cmp())
			else:
				return left

	def filter_cmp(self):
		self.skip_ws()
		if self.peek() == "(":
			self.i += 1
			e = self.filter_or()
			self.skip_ws()
			self.expect(")")
			return e
		left = self.operand()
		self.skip_ws()
		for op in ("==", "!=", "<=", ">=", "<", ">"):
			if self.peek(len(op)) == op:
				self.i += len(op)
				right = self.operand()
				return ("cmp", op, left, right)
		if left[0] != "path":
			raise JSONPathError("a filter needs a comparison or an @ path in %r" % self.s)
		return ("exists", left)

	def operand(self):
		self.skip_ws()
		c = self.peek()
		if c == "@":
			self.i += 1
			return ("path", self.steps(relative=True))
		if c == "$":
			raise JSONPathError("root references inside filters are not supported in %r" % self.s)
		if c in ("'", '"'):
			return ("lit", self.quoted())
		for word, val in (("true", True), ("false", False), ("null", None)):
			if self.s.startswith(word, self.i):
				self.i += len(word)
				return ("lit", val)
		m = _NUMBER.match(self.s, self.i)
		if m:
			self.i = m.end()
			txt = m.group(0)
			return ("lit", float(txt) if (m.group(1) or m.group(2)) else int(txt))
		raise JSONPathError("bad filter operand at offset %d in %r" % (self.i, self.s))


_cache = {}


def parse(path):
	"""Parse `path` into a list of steps; accepts `{...}` around it and an optional leading `$`."""
	if not isinstance(path, str):
		raise JSONPathError("path must be a string")
	if len(path) > MAX_PATH:
		raise JSONPathError("path longer than %d characters" % MAX_PATH)
	hit = _cache.get(path)
	if hit is not None:
		return hit
	text = path.strip()
	if text.startswith("{") and text.endswith("}"):
		text = text[1:-1].strip()
	if text.startswith("$"):
		text = text[1:]
	if text == "":
		raise JSONPathError("empty path")
	if text[0] not in ".[":
		text = "." + text  # client-go accepts `status.replicas` as a field path too
	p = _Parser(text)
	steps = p.steps()
	if len(_cache) < 1024:
		_cache[path] = steps
	return steps


# Each location is (parent, key, value); the root has parent None.

def _children(value):
	if isinstance(value, dict):
		return [(value, k, v) for k, v in value.items()]
	if isinstance(value, list):
		return [(value, i, v) for i, v in enumerate(value)]
	return []


def _apply_step(step, locs):
	kind = step[0]
	out = []
	if kind == "field":
		name = step[1]
		for _, _, v in locs:
			if isinstance(v, dict) and name in v:
				out.append((v, name, v[name]))
	elif kind == "wildcard":
		for _, _, v in locs:
			out.extend(_children(v))
	elif kind == "index":
		for _, _, v in locs:
			if isinstance(v, list):
				n = step[1]
				if n < 0:
					n += len(v)
				if 0 <= n < len(v):
					out.append((v, n, v[n]))
	elif kind == "slice":
		for _, _, v in locs:
			if isinstance(v, list):
				for n in range(len(v))[slice(step[1], step[2], step[3])]:
					out.append((v, n, v[n]))
	elif kind == "union":
		for item in step[1]:
			sub = ("field", item[1]) if item[0] == "name" else item
			out.extend(_apply_step(sub, locs))
	elif kind == "recursive":
		name = step[1]
		for loc in locs:
			stack = [loc]
			while stack:
				cur = stack.pop(0)
				v = cur[2]
				if name is None:
					kids = _children(v)
					out.extend(kids)
				else:
					if isinstance(v, dict) and name in v:
						out.append((v, name, v[name]))
					kids = _children(v)
				stack.extend(k for k in kids if isinstance(k[2], (dict, list)))
	elif kind == "filter":
		for _, _, v in locs:
			if not isinstance(v, list):
				raise JSONPathError("%s is not array or slice and cannot be filtered" % _short(v))
			for i, item in enumerate(v):
				if _eval_filter(step[1], item):
					out.append((v, i, item))
	else:  # pragma: no cover - parser never produces others
		raise JSONPathError("unknown step %r" % (kind,))
	return out


def _short(v):
	text = repr(v)
	return text if len(text) <= 60 else text[:57] + "..."


def _operand(op, item):
	if op[0] == "lit":
		return [op[1]]
	locs = [(None, None, item)]
	for step in op[1]:
		locs = _apply_step(step, locs)
	return [l[2] for l in locs]


def _compare(op, a, b):
	if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
		if op == "==":
			return a == b and type(a) is type(b)
		if op == "!=":
			return not (a == b and type(a) is type(b))
		return False
	num = (int, float)
	if isinstance(a, num) and isinstance(b, num):
		pass
	elif isinstance(a, str) and isinstance(b, str):
		pass
	else:
		return op == "!="
	return {
		"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b,
	}[op]


def _eval_filter(expr, item):
	kind = expr[0]
	if kind == "and":
		return _eval_filter(expr[1], item) and _eval_filter(expr[2], item)
	if kind == "or":
		return _eval_filter(expr[1], item) or _eval_filter(expr[2], item)
	if kind == "exists":
		return len(_operand(expr[1], item)) > 0
	_, op, left, right = expr
	lv = _operand(left, item)
	rv = _operand(right, item)
	if not lv or not rv:
		return False
	return _compare(op, lv[0], rv[0])


def locate(obj, path):
	"""All matches of `path` in `obj` as (parent, key) pairs (parent None for the root)."""
	locs = [(None, None, obj)]
	for step in parse(path):
		locs = _apply_step(step, locs)
		if not locs:
			break
	return [(p, k) for p, k, _ in locs]


def find(obj, path):
	"""All values `path` matches in `obj`, in document order; [] when nothing matches."""
	locs = [(None, None, obj)]
	for step in parse(path):
		locs = _apply_step(step, locs)
		if not locs:
			return []
	return [v for _, _, v in locs]


def delete(obj, path):
	"""Remove every field/element `path` matches from `obj` in place; returns how many were removed."""
	locs = locate(obj, path)
	n = 0
	# delete list elements from the highest index down so earlier indexes stay valid
	for parent, key in sorted((l for l in locs if l[0] is not None),
			key=lambda l: (-(l[1]) if isinstance(l[1], int) else 0)):
		try:
			del parent[key]
			n += 1
		except (KeyError, IndexError):
			pass
	return n
