/** Files of the site's own signer, created by init. Filled in by the signing work (issue 3). */
import type { OutputFile } from '../plan/output-file.js';
import type { Settings } from '../site/types.js';

export function siteSignerFiles(_settings: Settings, _now: Date): OutputFile[] {
  return [];
}
