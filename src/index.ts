/**
 * macvpn as a library: the pure core, for scripts that want the files without the CLI.
 * Everything here takes data and returns data (no files are read or written).
 */
export type { Site, Settings, User, Secrets, Pool, Compat, Problem } from './site/types.js';
export { parseSite } from './site/parse-site.js';
export { renderSiteYaml } from './site/render-site-yaml.js';
export type { OutputFile } from './plan/output-file.js';
export { planServer } from './plan/plan-server.js';
export { profileBytes, type ProfileFileOptions } from './plan/plan-profiles.js';
export { buildProfile, buildProfileXml, type ProfileOptions } from './apple/build-profile.js';
export { profileIds } from './apple/payload-ids.js';
export { parseSigner, type Signer } from './signing/signer.js';
export { signProfile } from './signing/sign-profile.js';
export { verifyProfileSignature, type VerifyReport } from './signing/verify-cms.js';
export { readRouterFiles } from './vpn/index.js';
export { planMdmExport } from './delivery/plan-mdm.js';
export { KNOWN_OPENBSD, NEWEST_OPENBSD, openbsdRelease } from './openbsd/versions.js';
