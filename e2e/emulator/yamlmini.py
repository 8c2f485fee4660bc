"""A small YAML subset parser (the standard library has none), enough for CRDs and request bodies.

load_all(text) -> [documents]; load(text) -> first document.
Supported: block maps and sequences (incl. "- key: v" compact maps and sequences at the parent's
indent), flow [..] and {..} (may span lines), plain / 'single' / "double" quoted scalars (double with
\\n \\t \\" \\\\ \\uXXXX escapes), | and > block scalars with -/+ chomping and indentation indicators,
comments, '---' / '...' document markers, YAML 1.2 core schema (null ~ true false ints floats).
Not supported (YamlError): anchors/aliases, tags other than !!str, complex keys.
"""

import json
import re


class YamlError(ValueError):
	pass


_INT = re.compile(r'^[-+]?[0-9]+$')
_HEX = re.compile(r'^0x[0-9a-fA-F]+$')
_OCT = re.compile(r'^0o[0-7]+$')
_FLOAT = re.compile(r'^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$')


def scalar(s):
	if s in ('', '~', 'null', 'Null', 'NULL'):
		return None
	if s in ('true', 'True', 'TRUE'):
		return True
	if s in ('false', 'False', 'FALSE'):
		return False
	if _INT.match(s):
		return int(s)
	if _HEX.match(s):
		return int(s, 16)
	if _OCT.match(s):
		return int(s[2:], 8)
	if _FLOAT.match(s):
		return float(s)
	if s in ('.inf', '.Inf', '.INF', '+.inf'):
		return float('inf')
	if s in ('-.inf', '-.Inf', '-.INF'):
		return float('-inf')
	if s in ('.nan', '.NaN', '.NAN'):
		return float('nan')
	return s


def _strip_comment(line):
	"""Remove a trailing comment outside quotes."""
	inq = None
	i = 0
	n = len(line)
	while i < n:
		c = line[i]
		if inq:
			if c == '\\' and inq == '"':
				i += 2
				continue
			if c == inq:
				if inq == "'" and i + 1 < n and line[i + 1] == "'":
					i += 2
					continue
				inq = None
		else:
			if c in '"\'' and (i == 0 or line[i - 1] in ' \t[{,:-'):
				inq = c
			elif c == '#' and (i == 0 or line[i - 1] in ' \t'):
				return line[:i].rstrip()
		i += 1
	return line.rstrip()


def _dq(s, i):
	"""Parse a double-quoted string starting at s[i] == '"'; -> (value, next index)."""
	out = []
	i += 1
	esc = {'n': '\n', 't': '\t', 'r': '\r', '"': '"', '\\': '\\', '/': '/', '0': '\0', 'b': '\b',
	       'f': '\f', ' ': ' ', 'e': '\x1b', 'a': '\x07', 'v': '\x0b'}
	while i < len(s):
		c = s[i]
		if c == '"':
			return ''.join(out), i + 1
		if c == '\\':
			i += 1
			if i >= len(s):
				break
			e = s[i]
			if e in esc:
				out.append(esc[e])
			elif e == 'x':
				out.append(chr(int(s[i + 1:i + 3], 16)))
				i += 2
			elif e == 'u':
				out.append(chr(int(s[i + 1:i + 5], 16)))
				i += 4
			elif e == 'U':
				out.append(chr(int(s[i + 1:i + 9], 16)))
				i += 8
			elif e == '\n':
				pass
			else:
				raise YamlError('bad escape \\%s' % e)
			i += 1
			continue
		out.append(c)
		i += 1
	raise YamlError('unterminated double-quoted string')


def _sq(s, i):
	out = []
	i += 1
	while i < len(s):
		c = s[i]
		if c == "'":
			if i + 1 < len(s) and s[i + 1] == "'":
				out.append("'")
				i += 2
				continue
			return ''.join(out), i + 1
		out.append(c)
		i += 1
	raise YamlError('unterminated single-quoted string')


def _fold_quoted(text):
	"""Multi-line quoted scalars: line breaks fold to spaces, blank lines to newlines."""
	if '\n' not in text:
		return text
	lines = text.split('\n')
	out = lines[0].rstrip()
	blank = 0
	for ln in lines[1:]:
		ln = ln.strip()
		if not ln:
			blank += 1
			continue
		out += ('\n' * blank if blank else ' ') + ln
		blank = 0
	return out


class _Flow:
	def __init__(self, s):
		self.s = s
		self.i = 0

	def ws(self):
		while self.i < len(self.s) and self.s[self.i] in ' \t\n\r':
			self.i += 1

	def value(self):
		self.ws()
		if self.i >= len(self.s):
			raise YamlError('unexpected end of flow collection')
		c = self.s[self.i]
		if c == '[':
			self.i += 1
			out = []
			while True:
				self.ws()
				if self.s[self.i:self.i + 1] == ']':
					self.i += 1
					return out
				v = self.value()
				self.ws()
				if self.s[self.i:self.i + 1] == ':':   # single-pair map inside a sequence
					self.i += 1
					v = {v: self.value()}
					self.ws()
				out.append(v)
				if self.s[self.i:self.i + 1] == ',':
					self.i += 1
				elif self.s[self.i:self.i + 1] != ']':
					raise YamlError('expected , or ] in flow sequence')
		if c == '{':
			self.i += 1
			out = {}
			while True:
				self.ws()
				if self.s[self.i:self.i + 1] == '}':
					self.i += 1
					return out
				k = self.value()
				self.ws()
				if self.s[self.i:self.i + 1] == ':':
					self.i += 1
					v = self.value()
				else:
					v = None
				out[k if not isinstance(k, (dict, list)) else json.dumps(k)] = v
				self.ws()
				if self.s[self.i:self.i + 1] == ',':
					self.i += 1
				elif self.s[self.i:self.i + 1] != '}':
					raise YamlError('expected , or } in flow mapping')
		if c == '"':
			v, self.i = _dq(self.s, self.i)
			return _fold_quoted(v)
		if c == "'":
			v, self.i = _sq(self.s, self.i)
			return _fold_quoted(v)
		j = self.i
		while j < len(self.s) and self.s[j] not in ',]}' and not (self.s[j] == ':' and
										(j + 1 >= len(self.s) or self.s[j + 1] in ' ,]}\n')):
			j += 1
		tok = ' '.join(self.s[self.i:j].split())
		self.i = j
		return scalar(tok)


def _flow(text):
	f = _Flow(text)
	v = f.value()
	f.ws()
	if f.i != len(text):
		raise YamlError('trailing characters after flow collection: %r' % text[f.i:f.i + 20])
	return v


def _balanced(text):
	depth = 0
	inq = None
	i = 0
	while i < len(text):
		c = text[i]
		if inq:
			if c == '\\' and inq == '"':
				i += 2
				continue
			if c == inq:
				inq = None
		elif c in '"\'':
			inq = c
		elif c in '[{':
			depth += 1
		elif c in ']}':
			depth -= 1
		i += 1
	return depth <= 0 and inq is None


class _Parser:
	def __init__(self, lines):
		self.raw = lines
		self.i = 0

	def _skip(self):
		while self.i < len(self.raw):
			s = self.raw[self.i]
			t = s.strip()
			if not t or t.startswith('#'):
				self.i += 1
				continue
			return True
		return False

	def _peek(self):
		if not self._skip():
			return None
		s = self.raw[self.i]
		if '\t' in s[:len(s) - len(s.lstrip())]:
			raise YamlError('line %d: tabs are not allowed for indentation' % (self.i + 1))
		return len(s) - len(s.lstrip(' ')), _strip_comment(s).strip()

	def node(self, indent):
		p = self._peek()
		if p is None or p[0] < indent:
			return None
		ind, txt = p
		if txt == '-' or txt.startswith('- '):
			return self.seq(ind)
		if self._is_key(txt):
			return self.map(ind)
		return self.inline(ind, txt, ind)

	@staticmethod
	def _key_end(txt):
		"""Index of the ':' separating key and value, or -1."""
		if txt.startswith('"'):
			try:
				_, j = _dq(txt, 0)
			except YamlError:
				return -1
			return j if txt[j:j + 1] == ':' and (j + 1 == len(txt) or txt[j + 1] == ' ') else -1
		if txt.startswith("'"):
			try:
				_, j = _sq(txt, 0)
			except YamlError:
				return -1
			return j if txt[j:j + 1] == ':' and (j + 1 == len(txt) or txt[j + 1] == ' ') else -1
		if txt[:1] in '[{':
			return -1
		j = 0
		while True:
			j = txt.find(':', j)
			if j < 0:
				return -1
			if j + 1 == len(txt) or txt[j + 1] == ' ':
				return j
			j += 1

	def _is_key(self, txt):
		return self._key_end(txt) >= 0

	def seq(self, indent):
		out = []
		while True:
			p = self._peek()
			if p is None or p[0] != indent or not (p[1] == '-' or p[1].startswith('- ')):
				if p is not None and p[0] > indent:
					raise YamlError('line %d: bad indentation of a sequence entry' % (self.i + 1))
				return out
			rest = p[1][1:].lstrip(' ')
			if not rest:
				self.i += 1
				v = self.node(indent + 1)
				out.append(v)
				continue
			# rewrite "- x" as x at a deeper indent
			off = len(self.raw[self.i]) - len(self.raw[self.i].lstrip(' ')) + 1
			raw = self.raw[self.i]
			k = off
			while k < len(raw) and raw[k] == ' ':
				k += 1
			self.raw[self.i] = ' ' * k + raw[k:]
			out.append(self.node(k))

	def map(self, indent):
		out = {}
		while True:
			p = self._peek()
			if p is None or p[0] != indent:
				if p is not None and p[0] > indent:
					raise YamlError('line %d: bad indentation of a mapping entry' % (self.i + 1))
				return out
			txt = p[1]
			j = self._key_end(txt)
			if j < 0:
				if txt == '-' or txt.startswith('- '):
					return out
				raise YamlError('line %d: expected a mapping key, found %r' % (self.i + 1, txt[:40]))
			ktxt = txt[:j].strip() if txt[0] not in '"\'' else txt[:j]
			if ktxt.startswith('"'):
				key = _dq(ktxt, 0)[0]
			elif ktxt.startswith("'"):
				key = _sq(ktxt, 0)[0]
			else:
				if ktxt.startswith(('&', '*', '!', '?')):
					raise YamlError('line %d: anchors, aliases, tags and complex keys are not supported'
							% (self.i + 1))
				key = ktxt
			rest = txt[j + 1:].strip()
			if key in out:
				raise YamlError('line %d: duplicate key %r' % (self.i + 1, key))
			if not rest:
				self.i += 1
				p2 = self._peek()
				if p2 is not None and p2[0] == indent and (p2[1] == '-' or p2[1].startswith('- ')):
					out[key] = self.seq(indent)
				else:
					out[key] = self.node(indent + 1)
			else:
				out[key] = self.inline(indent, rest, indent + 1)

	def inline(self, indent, rest, child_indent):
		"""A value written after 'key: ' or as a document/sequence item; consumes its lines."""
		line_no = self.i
		if rest.startswith('!!str '):
			rest = rest[6:].lstrip()
			forced = True
		else:
			forced = False
		if rest.startswith(('&', '*')) or (rest.startswith('!') and not forced):
			raise YamlError('line %d: anchors, aliases and tags are not supported' % (line_no + 1))
		if rest[:1] in '|>':
			return self.block_scalar(rest, indent)
		if rest[:1] in '[{':
			text = rest
			self.i += 1
			while not _balanced(text):
				if self.i >= len(self.raw):
					raise YamlError('line %d: unterminated flow collection' % (line_no + 1))
				text += '\n' + _strip_comment(self.raw[self.i])
				self.i += 1
			return _flow(text)
		if rest[:1] in '"\'':
			full = self.raw[self.i]
			start = full.find(rest[0], len(full) - len(full.lstrip()) if rest is None else 0)
			# gather until the closing quote (multi-line quoted scalars)
			text = rest
			self.i += 1
			while True:
				try:
					v, j = (_dq if text[0] == '"' else _sq)(text, 0)
					break
				except YamlError:
					if self.i >= len(self.raw):
						raise
					text += '\n' + self.raw[self.i]
					self.i += 1
			_ = start
			tail = _strip_comment(text[j:]).strip()
			if tail:
				raise YamlError('line %d: unexpected text after quoted scalar: %r' % (line_no + 1, tail))
			return _fold_quoted(v)
		# plain scalar, possibly continued on more-indented lines
		parts = [rest]
		self.i += 1
		while True:
			p = self._peek()
			if p is None or p[0] < child_indent or self._is_key(p[1]) or p[1].startswith('- ') or p[1] == '-':
				break
			parts.append(p[1])
			self.i += 1
		text = ' '.join(parts)
		return text if forced else scalar(text)

	def block_scalar(self, header, indent):
		style = header[0]
		chomp = ''
		explicit = None
		for c in header[1:].split('#')[0].strip():
			if c in '+-':
				chomp = c
			elif c.isdigit():
				explicit = int(c)
		self.i += 1
		lines = []
		block_indent = None if explicit is None else indent + explicit
		while self.i < len(self.raw):
			s = self.raw[self.i]
			if not s.strip():
				lines.append('')
				self.i += 1
				continue
			ind = len(s) - len(s.lstrip(' '))
			if block_indent is None:
				if ind <= indent:
					break
				block_indent = ind
			if ind < block_indent:
				break
			lines.append(s[block_indent:])
			self.i += 1
		# trailing blank lines belong to chomping
		trail = 0
		while lines and lines[-1] == '':
			lines.pop()
			trail += 1
		if style == '|':
			body = '\n'.join(lines)
		else:
			body = ''
			prev_more = False
			for k, ln in enumerate(lines):
				more = ln.startswith((' ', '\t'))
				if k == 0:
					body = ln
				elif ln == '':
					body += '\n'
				elif body.endswith('\n') or more or prev_more:
					body += ('' if body.endswith('\n') else '\n') + ln
				else:
					body += ' ' + ln
				prev_more = more
		if not lines:
			return '' if chomp != '+' else '\n' * trail
		if chomp == '-':
			return body
		if chomp == '+':
			return body + '\n' + '\n' * trail
		return body + '\n'


def _split_docs(text):
	docs = []
	cur = []
	explicit = False
	for line in text.splitlines():
		if line.startswith('---') and (len(line) == 3 or line[3] in ' \t'):
			if cur or explicit:
				docs.append(cur)
			cur = []
			explicit = True
			rest = line[3:].strip()
			if rest and not rest.startswith('#'):
				cur.append(rest)
			continue
		if line.rstrip() == '...':
			docs.append(cur)
			cur = []
			explicit = False
			continue
		if line.startswith('%') and not cur:
			continue
		cur.append(line)
	if cur:
		docs.append(cur)
	return docs


def load_all(text):
	if text.startswith('\ufeff'):
		text = text[1:]
	out = []
	for lines in _split_docs(text):
		p = _Parser(list(lines))
		if not p._skip():
			continue
		v = p.node(0)
		if p._skip():
			raise YamlError('line %d: unexpected content %r' % (p.i + 1, p.raw[p.i].strip()[:40]))
		if v is not None:
			out.append(v)
	return out


def load(text):
	docs = load_all(text)
	return docs[0] if docs else None
