/**
 * A minimal ISO 9660 image writer for delivering Ignition as a CD-ROM: a
 * volume labelled for the OS to find (SLE Micro looks for "ignition") holding
 * one directory of files. Output is deterministic (fixed timestamps) so the
 * same bootstrap data always gives the same bytes, which keeps uploads
 * idempotent. Names follow ISO 9660 level 1 (8.3, upper case); Linux shows
 * them in lower case without the ";1" version.
 */

const SECTOR = 2048;
const FIXED_DATE = new Date(Date.UTC(2020, 0, 1));

export interface IsoFile {
  /** File name, 8.3 (e.g. config.ign). */
  name: string;
  data: Uint8Array;
}

export interface IsoImage {
  volumeId: string;
  /** One directory under the root, e.g. "ignition". */
  directory: string;
  files: IsoFile[];
}

function bothEndian32(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(value, 0);
  b.writeUInt32BE(value, 4);
  return b;
}

function bothEndian16(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(value, 0);
  b.writeUInt16BE(value, 2);
  return b;
}

function padded(text: string, length: number): Buffer {
  return Buffer.from(text.padEnd(length, ' ').slice(0, length), 'ascii');
}

function recordingDate(date: Date): Buffer {
  return Buffer.from([
    date.getUTCFullYear() - 1900,
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    0,
  ]);
}

function volumeDate(date: Date): Buffer {
  const digits = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return Buffer.concat([Buffer.from(`${digits}00`, 'ascii'), Buffer.from([0])]);
}

function isoName(name: string, kind: 'file' | 'directory'): string {
  const upper = name.toUpperCase();
  if (!/^[A-Z0-9_]{1,8}(\.[A-Z0-9_]{0,3})?$/.test(upper) || (kind === 'directory' && upper.includes('.'))) {
    throw new Error(`"${name}" is not an ISO 9660 level 1 ${kind} name (8.3, letters, digits, underscore)`);
  }
  return kind === 'file' ? `${upper};1` : upper;
}

function directoryRecord(name: Buffer, extent: number, size: number, isDirectory: boolean): Buffer {
  const length = 33 + name.length + (name.length % 2 === 0 ? 1 : 0);
  const record = Buffer.alloc(length);
  record[0] = length;
  bothEndian32(extent).copy(record, 2);
  bothEndian32(size).copy(record, 10);
  recordingDate(FIXED_DATE).copy(record, 18);
  record[25] = isDirectory ? 0x02 : 0x00;
  bothEndian16(1).copy(record, 28);
  record[32] = name.length;
  name.copy(record, 33);
  return record;
}

function pathTableRecord(name: Buffer, extent: number, parent: number, bigEndian: boolean): Buffer {
  const length = 8 + name.length + (name.length % 2);
  const record = Buffer.alloc(length);
  record[0] = name.length;
  if (bigEndian) {
    record.writeUInt32BE(extent, 2);
    record.writeUInt16BE(parent, 6);
  } else {
    record.writeUInt32LE(extent, 2);
    record.writeUInt16LE(parent, 6);
  }
  name.copy(record, 8);
  return record;
}

/** Builds the image; every size fits in one sector except file data. */
export function buildIso(image: IsoImage): Buffer {
  const dirName = Buffer.from(isoName(image.directory, 'directory'), 'ascii');
  const files = image.files.map((f) => ({
    name: Buffer.from(isoName(f.name, 'file'), 'ascii'),
    data: f.data,
  }));
  const L_TABLE = 18;
  const M_TABLE = 19;
  const ROOT = 20;
  const SUBDIR = 21;
  let next = 22;
  const extents = files.map((f) => {
    const extent = next;
    next += Math.max(1, Math.ceil(f.data.length / SECTOR));
    return extent;
  });
  const totalSectors = next;

  const dot = Buffer.from([0]);
  const dotdot = Buffer.from([1]);
  const root = Buffer.concat([
    directoryRecord(dot, ROOT, SECTOR, true),
    directoryRecord(dotdot, ROOT, SECTOR, true),
    directoryRecord(dirName, SUBDIR, SECTOR, true),
  ]);
  const subdir = Buffer.concat([
    directoryRecord(dot, SUBDIR, SECTOR, true),
    directoryRecord(dotdot, ROOT, SECTOR, true),
    ...files.map((f, i) => directoryRecord(f.name, extents[i] as number, f.data.length, false)),
  ]);
  if (root.length > SECTOR || subdir.length > SECTOR)
    throw new Error('too many files for a one-sector directory');

  const lTable = Buffer.concat([
    pathTableRecord(dot, ROOT, 1, false),
    pathTableRecord(dirName, SUBDIR, 1, false),
  ]);
  const mTable = Buffer.concat([
    pathTableRecord(dot, ROOT, 1, true),
    pathTableRecord(dirName, SUBDIR, 1, true),
  ]);

  const pvd = Buffer.alloc(SECTOR);
  pvd[0] = 1;
  pvd.write('CD001', 1, 'ascii');
  pvd[6] = 1;
  padded('LINUX', 32).copy(pvd, 8);
  padded(image.volumeId, 32).copy(pvd, 40);
  bothEndian32(totalSectors).copy(pvd, 80);
  bothEndian16(1).copy(pvd, 120);
  bothEndian16(1).copy(pvd, 124);
  bothEndian16(SECTOR).copy(pvd, 128);
  bothEndian32(lTable.length).copy(pvd, 132);
  pvd.writeUInt32LE(L_TABLE, 140);
  pvd.writeUInt32BE(M_TABLE, 148);
  directoryRecord(dot, ROOT, SECTOR, true).copy(pvd, 156);
  for (const [offset, length] of [
    [190, 128],
    [318, 128],
    [446, 128],
    [702, 37],
    [739, 37],
    [776, 37],
  ] as const) {
    padded('', length).copy(pvd, offset);
  }
  padded('IMMUTABLE-INFRA', 128).copy(pvd, 574);
  volumeDate(FIXED_DATE).copy(pvd, 813);
  volumeDate(FIXED_DATE).copy(pvd, 830);
  Buffer.concat([Buffer.from('0'.repeat(16), 'ascii'), Buffer.from([0])]).copy(pvd, 847);
  volumeDate(FIXED_DATE).copy(pvd, 864);
  pvd[881] = 1;

  const terminator = Buffer.alloc(SECTOR);
  terminator[0] = 255;
  terminator.write('CD001', 1, 'ascii');
  terminator[6] = 1;

  const out = Buffer.alloc(totalSectors * SECTOR);
  pvd.copy(out, 16 * SECTOR);
  terminator.copy(out, 17 * SECTOR);
  lTable.copy(out, L_TABLE * SECTOR);
  mTable.copy(out, M_TABLE * SECTOR);
  root.copy(out, ROOT * SECTOR);
  subdir.copy(out, SUBDIR * SECTOR);
  files.forEach((f, i) => {
    Buffer.from(f.data).copy(out, (extents[i] as number) * SECTOR);
  });
  return out;
}

/** The CD-ROM image SLE Micro's Ignition reads: volume "ignition", file ignition/config.ign. */
export function ignitionIso(config: string): Buffer {
  return buildIso({
    volumeId: 'ignition',
    directory: 'ignition',
    files: [{ name: 'config.ign', data: Buffer.from(config, 'utf8') }],
  });
}
