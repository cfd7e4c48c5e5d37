/**
 * MDM command plists for NanoMDM and MicroMDM: InstallProfile carries the profile bytes verbatim
 * as <data> (Apple mdm/commands/profile.install.yaml; nanomdm tools/cmdr.py puts the file's bytes
 * in Payload), RemoveProfile names the profile's top-level PayloadIdentifier
 * (profile.remove.yaml). The CommandUUID is passed in: this module has no randomness. Pure.
 */
import { build } from 'plist';

/** `{CommandUUID, Command: {RequestType: InstallProfile, Payload: <data>}}` as XML plist bytes. */
export function installProfileCommand(profile: Uint8Array, commandUuid: string): Uint8Array {
  const command = { Command: { RequestType: 'InstallProfile', Payload: Buffer.from(profile) }, CommandUUID: commandUuid };
  return Buffer.from(build(command) + '\n', 'utf8');
}

/** `{CommandUUID, Command: {RequestType: RemoveProfile, Identifier}}` as XML plist bytes. */
export function removeProfileCommand(identifier: string, commandUuid: string): Uint8Array {
  const command = { Command: { RequestType: 'RemoveProfile', Identifier: identifier }, CommandUUID: commandUuid };
  return Buffer.from(build(command) + '\n', 'utf8');
}
