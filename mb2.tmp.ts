import { manifestTexts } from './bench/manifests.ts';
import { parsePlainYaml } from './controller/manifests/plain.ts';
import { validateManifests } from './controller/manifests/validate.ts';
import { parseManifestFile } from './controller/manifests/parse.ts';
const inputs = manifestTexts(10000);
function t(name: string, f: () => void) { const c = process.cpuUsage(); const s = performance.now(); f(); const u = process.cpuUsage(c); console.log(name, Math.round(performance.now() - s), 'ms wall', Math.round((u.user + u.system) / 1000), 'ms cpu'); }
for (let r = 0; r < 3; r++) {
t('plain', () => { for (const i of inputs) parsePlainYaml(i.text); });
t('parseManifestFile', () => { for (const i of inputs) parseManifestFile(i.file, i.text); });
t('JSON.parse', () => { for (const i of inputs) JSON.parse(JSON.stringify(i)); });
t('validateManifests', () => { validateManifests(inputs); });
}
