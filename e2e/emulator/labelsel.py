"""Label and field selectors, parsed like k8s.io/apimachinery (labels.Parse, fields.ParseSelector).

LabelSelector.parse(text) accepts: `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`,
`k>N`, `k<N`, comma separated.  LabelSelector.from_dict() takes a metav1.LabelSelector
({matchLabels, matchExpressions}).  FieldSelector.parse(text) accepts `f=v`, `f==v`, `f!=v`.
Errors raise SelectorError (the server turns it into 400 BadRequest).
"""

import re

_KEY = re.compile(r'^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?'
		  r'[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$')
_VALUE = re.compile(r'^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$')


class SelectorError(ValueError):
	pass


class Requirement:
	__slots__ = ('key', 'op', 'values')

	def __init__(self, key, op, values=()):
		self.key = key
		self.op = op
		self.values = tuple(values)

	def matches(self, labels):
		op = self.op
		if op == 'exists':
			return self.key in labels
		if op == '!':
			return self.key not in labels
		have = labels.get(self.key)
		if op in ('=', '==', 'in'):
			return have is not None and have in self.values
		if op in ('!=', 'notin'):
			return have is None or have not in self.values
		if op in ('>', '<'):
			if have is None:
				return False
			try:
				h = int(have)
			except ValueError:
				return False
			n = int(self.values[0])
			return h > n if op == '>' else h < n
		return False

	def __repr__(self):
		return 'Requirement(%r, %r, %r)' % (self.key, self.op, self.values)


class LabelSelector:
	"""A conjunction of requirements; empty matches everything."""

	def __init__(self, reqs=(), nothing=False):
		self.reqs = list(reqs)
		self.nothing = nothing

	def empty(self):
		return not self.reqs and not self.nothing

	def matches(self, labels):
		if self.nothing:
			return False
		labels = labels or {}
		for r in self.reqs:
			if not r.matches(labels):
				return False
		return True

	@staticmethod
	def parse(text):
		if text is None:
			return LabelSelector()
		toks = _tokenize(text)
		reqs = []
		i = 0
		n = len(toks)
		while i < n:
			if toks[i] == '!':
				if i + 1 >= n or not _is_ident(toks[i + 1]):
					raise SelectorError('unable to parse requirement: found \'%s\', expected: identifier'
							    % (toks[i + 1] if i + 1 < n else 'EOS'))
				key = toks[i + 1]
				_check_key(key)
				reqs.append(Requirement(key, '!'))
				i += 2
			else:
				key = toks[i]
				if not _is_ident(key):
					raise SelectorError('unable to parse requirement: found \'%s\', expected: identifier' % key)
				_check_key(key)
				i += 1
				if i >= n or toks[i] == ',':
					reqs.append(Requirement(key, 'exists'))
				elif toks[i] in ('=', '==', '!='):
					op = toks[i]
					i += 1
					val = ''
					if i < n and _is_ident(toks[i]):
						val = toks[i]
						i += 1
					_check_value(val)
					reqs.append(Requirement(key, op, (val,)))
				elif toks[i] in ('>', '<'):
					op = toks[i]
					i += 1
					if i >= n or not re.match(r'^-?[0-9]+$', toks[i]):
						raise SelectorError('unable to parse requirement: for \'Gt\', \'Lt\' operators, '
								    'the value must be an integer')
					reqs.append(Requirement(key, op, (toks[i],)))
					i += 1
				elif toks[i] in ('in', 'notin'):
					op = toks[i]
					i += 1
					if i >= n or toks[i] != '(':
						raise SelectorError('unable to parse requirement: found \'%s\', expected: \'(\''
								    % (toks[i] if i < n else 'EOS'))
					i += 1
					vals = []
					while i < n and toks[i] != ')':
						if toks[i] == ',':
							i += 1
							continue
						_check_value(toks[i])
						vals.append(toks[i])
						i += 1
					if i >= n:
						raise SelectorError('unable to parse requirement: found \'EOS\', expected: \')\'')
					i += 1
					if not vals and op == 'in':
						raise SelectorError('unable to parse requirement: for \'in\', \'notin\' operators, '
								    'values set can\'t be empty')
					reqs.append(Requirement(key, op, vals))
				else:
					raise SelectorError('unable to parse requirement: found \'%s\', expected: '
							    '\'=\', \'!=\', \'==\', \'in\', notin\'' % toks[i])
			if i < n:
				if toks[i] != ',':
					raise SelectorError('found \'%s\', expected: \',\' or \'end of string\'' % toks[i])
				i += 1
				if i >= n:
					raise SelectorError('found \'EOS\', expected: identifier after \',\'')
		return LabelSelector(reqs)

	@staticmethod
	def from_dict(sel):
		"""metav1.LabelSelector -> LabelSelector. None matches nothing (like LabelSelectorAsSelector)."""
		if sel is None:
			return LabelSelector(nothing=True)
		reqs = []
		for k, v in sorted((sel.get('matchLabels') or {}).items()):
			reqs.append(Requirement(k, '=', (v,)))
		for e in sel.get('matchExpressions') or []:
			op = e.get('operator')
			vals = e.get('values') or []
			m = {'In': 'in', 'NotIn': 'notin', 'Exists': 'exists', 'DoesNotExist': '!'}.get(op)
			if m is None:
				raise SelectorError('%r is not a valid label selector operator' % op)
			if m in ('in', 'notin') and not vals:
				raise SelectorError('values: Invalid value: []: for \'in\', \'notin\' operators, values set can\'t be empty')
			if m in ('exists', '!') and vals:
				raise SelectorError('values: Invalid value: %r: values set must be empty for exists and does not exist' % vals)
			reqs.append(Requirement(e.get('key'), m, vals))
		return LabelSelector(reqs)


def _is_ident(t):
	return t not in ('(', ')', ',', '=', '==', '!=', '!', '>', '<')


def _check_key(k):
	if len(k) > 317 or not _KEY.match(k):
		raise SelectorError('unable to parse requirement: invalid label key "%s": name part must consist of '
				    'alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an '
				    'alphanumeric character' % k)


def _check_value(v):
	if len(v) > 63 or not _VALUE.match(v):
		raise SelectorError('unable to parse requirement: invalid label value: "%s": a valid label must be an '
				    'empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must '
				    'start and end with an alphanumeric character' % v)


def _tokenize(text):
	toks = []
	i = 0
	n = len(text)
	while i < n:
		c = text[i]
		if c.isspace():
			i += 1
		elif c in '(),':
			toks.append(c)
			i += 1
		elif c == '=':
			if text.startswith('==', i):
				toks.append('==')
				i += 2
			else:
				toks.append('=')
				i += 1
		elif c == '!':
			if text.startswith('!=', i):
				toks.append('!=')
				i += 2
			else:
				toks.append('!')
				i += 1
		elif c in '<>':
			toks.append(c)
			i += 1
		else:
			j = i
			while j < n and not text[j].isspace() and text[j] not in '(),=!<>':
				j += 1
			toks.append(text[i:j])
			i = j
	return toks


# Field selectors ---------------------------------------------------------------------------

class FieldSelector:
	def __init__(self, reqs=()):
		self.reqs = list(reqs)  # (field, op, value) op in '=', '!='

	def empty(self):
		return not self.reqs

	def fields(self):
		return [r[0] for r in self.reqs]

	def matches(self, obj):
		for f, op, v in self.reqs:
			have = field_value(obj, f)
			if (have == v) != (op == '='):
				return False
		return True

	@staticmethod
	def parse(text):
		reqs = []
		if not text:
			return FieldSelector()
		for part in _split_unescaped(text, ','):
			part = part.strip()
			if not part:
				continue
			for op, sym in (('!=', '!='), ('=', '=='), ('=', '=')):
				idx = _find_unescaped(part, sym)
				if idx >= 0:
					f = part[:idx].strip()
					v = _unescape(part[idx + len(sym):].strip())
					reqs.append((f, op, v))
					break
			else:
				raise SelectorError('invalid selector: \'%s\'; can\'t understand \'%s\'' % (text, part))
		return FieldSelector(reqs)


def _split_unescaped(s, sep):
	out, cur, i = [], [], 0
	while i < len(s):
		if s[i] == '\\' and i + 1 < len(s):
			cur.append(s[i:i + 2])
			i += 2
			continue
		if s[i] == sep:
			out.append(''.join(cur))
			cur = []
		else:
			cur.append(s[i])
		i += 1
	out.append(''.join(cur))
	return out


def _find_unescaped(s, sym):
	i = 0
	while i < len(s):
		if s[i] == '\\':
			i += 2
			continue
		if s.startswith(sym, i):
			return i
		i += 1
	return -1


def _unescape(v):
	return re.sub(r'\\(.)', r'\1', v)


def field_value(obj, path):
	"""Value of a dotted field path for field selectors ('' when absent)."""
	cur = obj
	for p in path.split('.'):
		if not isinstance(cur, dict):
			return ''
		cur = cur.get(p)
		if cur is None:
			return ''
	if isinstance(cur, bool):
		return 'true' if cur else 'false'
	return str(cur)
