"""yamlmini: the YAML subset used by CRDs and request bodies; also parses every bundled CRD."""

import glob
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import yamlmini  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


class Yaml(unittest.TestCase):
	def test_structures(self):
		doc = yamlmini.load('''
# comment
a: 1
b:
- x
- y: 2   # trailing comment
  z: [1, 2.5, {q: "s"}, 'it''s']
c: |
  line1
    indented
  line3
d: >-
  folded
  text

  para
e: {a: b, "c d": [true, null, ~]}
f:
  - - 1
    - 2
g: "tab\\tand \\u00e9"
h: 'a # not a comment'
i: 0x1f
j: -3
k: 1e3
l: "123"
m:
n: yes
''')
		self.assertEqual(doc['a'], 1)
		self.assertEqual(doc['b'], ['x', {'y': 2, 'z': [1, 2.5, {'q': 's'}, "it's"]}])
		self.assertEqual(doc['c'], 'line1\n  indented\nline3\n')
		self.assertEqual(doc['d'], 'folded text\npara')
		self.assertEqual(doc['e'], {'a': 'b', 'c d': [True, None, None]})
		self.assertEqual(doc['f'], [[1, 2]])
		self.assertEqual(doc['g'], 'tab\tand \u00e9')
		self.assertEqual(doc['h'], 'a # not a comment')
		self.assertEqual((doc['i'], doc['j'], doc['k'], doc['l']), (31, -3, 1000.0, '123'))
		self.assertIsNone(doc['m'])
		self.assertEqual(doc['n'], 'yes')   # YAML 1.2 core schema

	def test_multi_docs_and_chomping(self):
		docs = yamlmini.load_all('---\na: |+\n  keep\n\n---\nb: |-\n  strip\n...\n---\n- 1\n')
		self.assertEqual(docs, [{'a': 'keep\n\n'}, {'b': 'strip'}, [1]])
		self.assertEqual(yamlmini.load_all(''), [])

	def test_seq_at_parent_indent_and_multiline_flow(self):
		doc = yamlmini.load('spec:\n  items:\n  - a\n  - b\n  flow: [\n    1,\n    2 ]\n')
		self.assertEqual(doc, {'spec': {'items': ['a', 'b'], 'flow': [1, 2]}})

	def test_errors(self):
		for bad in ('a: &x 1\n', 'a: "open\n', 'a: 1\na: 2\n', 'a:\n\t- 1\n', 'a: [1, 2\n'):
			with self.assertRaises(yamlmini.YamlError, msg=bad):
				yamlmini.load(bad)

	def test_bundled_crds_parse(self):
		files = glob.glob(os.path.join(ROOT, 'crds', 'openchoreo', '*.yaml'))
		files += glob.glob(os.path.join(ROOT, 'e2e', 'emulator', 'crds', 'ocm', '*.yaml'))
		for f in files:
			with open(f) as fh:
				docs = yamlmini.load_all(fh.read())
			self.assertTrue(docs, f)
			d = docs[0]
			self.assertEqual(d['kind'], 'CustomResourceDefinition', f)
			for v in d['spec']['versions']:
				self.assertEqual(v['schema']['openAPIV3Schema']['type'], 'object', f)


if __name__ == '__main__':
	unittest.main()
