import { parseManifestFile, parseWithPositions } from './controller/manifests/parse.ts';
import { parsePlainYaml } from './controller/manifests/plain.ts';
import { manifestTexts } from './bench/manifests.ts';
import { readFileSync, readdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
const texts = [...manifestTexts(50).map((m) => m.text), ...readdirSync('tenants').filter((f) => f.endsWith('.yaml')).map((f) => readFileSync('tenants/' + f, 'utf8'))];
for (const t of texts) {
  const p = parsePlainYaml(t);
  const s = parseWithPositions('f', t);
  if (!p) { console.log('BAIL', t.slice(0, 300)); continue; }
  const a = p.documents.map((d) => ({ data: d.data, places: [...d.places].sort() }));
  const b = s.documents.map((d) => ({ data: d.data, places: [...d.places].sort() }));
  if (!isDeepStrictEqual(a, b)) { console.log('DIFF', JSON.stringify(a).slice(0, 2000), '\n', JSON.stringify(b).slice(0, 2000)); break; }
}
console.log('done');
