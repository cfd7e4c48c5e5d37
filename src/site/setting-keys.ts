/**
 * The settings `macvpn set KEY VALUE` can change: every key of macvpn.yaml but the user list,
 * found in the canonical layout (renderSiteYaml) of each VPN type, so a type's block brings its
 * own keys (`<block>.suite`, `<block>.on_demand.enabled`) without this file naming any.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { Settings } from './types.js';
import { renderSiteYaml } from './render-site-yaml.js';
import { VPN_TYPES } from '../vpn/index.js';

export type SettingShape = 'text' | 'list' | 'boolean';

export interface SettingKey {
  /** Dotted name as typed: `dns`, `<block>.on_demand.trusted_wifi`. */
  name: string;
  path: string[];
  shape: SettingShape;
  /** The VPN type whose block holds the key; undefined for the shared keys. */
  owner?: string;
}

function leaves(node: unknown, prefix: string[], out: Array<{ path: string[]; node: Node }>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      leaves(pair.value, [...prefix, key], out);
    }
  } else out.push({ path: prefix, node: node as Node });
}

const shapeOf = (node: Node): SettingShape => (isSeq(node) ? 'list' : isScalar(node) && typeof node.value === 'boolean' ? 'boolean' : 'text');

export function settingKeys(settings: Settings): SettingKey[] {
  const out = new Map<string, SettingKey>();
  for (const type of Object.values(VPN_TYPES)) {
    const as: Settings = { ...settings, vpn: type.id, vpnSettings: type.id === settings.vpn ? settings.vpnSettings : type.parseSettings(undefined, () => {}) };
    const found: Array<{ path: string[]; node: Node }> = [];
    leaves(parseDocument(renderSiteYaml(as)).contents, [], found);
    for (const { path, node } of found) {
      if (path[0] === 'users') continue;
      const name = path.join('.');
      if (out.has(name)) continue;
      out.set(name, { name, path, shape: shapeOf(node), ...(path[0] === type.settingsKey && { owner: type.id }) });
    }
  }
  return [...out.values()];
}

/** The setting's value now (defaults included), as `set KEY` shows it. */
export function settingValue(settings: Settings, key: SettingKey): string {
  const v = parseDocument(renderSiteYaml(settings)).getIn(key.path);
  if (v === undefined) return '';
  const json = (v as { toJSON?: () => unknown }).toJSON?.() ?? v;
  return Array.isArray(json) ? json.join(',') : String(json);
}

/** VALUE as typed → the YAML value for the key, or a message. Lists are comma-separated; "" is empty. */
export function settingInput(key: SettingKey, value: string): { value: unknown } | { error: string } {
  if (key.shape === 'boolean') {
    if (value === 'true' || value === 'false') return { value: value === 'true' };
    return { error: `${key.name} must be true or false, not ${JSON.stringify(value)}` };
  }
  if (key.shape === 'list') return { value: value.trim() === '' ? [] : value.split(',').map((v) => v.trim()) };
  return { value };
}
