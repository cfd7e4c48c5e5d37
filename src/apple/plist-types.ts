/** Plain objects with plist types: string, integer (number), data (Buffer), arrays, dicts. */
export type PlistValue = string | number | boolean | Date | Buffer | PlistValue[] | PlistObject;
export interface PlistObject {
  [key: string]: PlistValue;
}
