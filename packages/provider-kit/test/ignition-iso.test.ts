import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildIso, ignitionIso } from '../src/index.js';

const SECTOR = 2048;

/** Walks the image the way a reader of ECMA-119 does: PVD, root record, directory, file. */
function readFile(iso: Buffer, directory: string, name: string): Buffer | undefined {
  const pvd = iso.subarray(16 * SECTOR, 17 * SECTOR);
  if (pvd.toString('ascii', 1, 6) !== 'CD001') return undefined;
  const records = (extent: number, size: number) => {
    const out: { name: string; extent: number; size: number; directory: boolean }[] = [];
    const data = iso.subarray(extent * SECTOR, extent * SECTOR + size);
    for (let offset = 0; offset < data.length && data[offset] !== 0; offset += data[offset] as number) {
      const length = data[offset + 32] as number;
      out.push({
        name: data.toString('ascii', offset + 33, offset + 33 + length),
        extent: data.readUInt32LE(offset + 2),
        size: data.readUInt32LE(offset + 10),
        directory: ((data[offset + 25] as number) & 2) !== 0,
      });
    }
    return out;
  };
  const rootRecord = pvd.subarray(156, 190);
  const root = records(rootRecord.readUInt32LE(2), rootRecord.readUInt32LE(10));
  const dir = root.find((r) => r.directory && r.name === directory.toUpperCase());
  if (!dir) return undefined;
  const file = records(dir.extent, dir.size).find((r) => r.name === `${name.toUpperCase()};1`);
  return file ? iso.subarray(file.extent * SECTOR, file.extent * SECTOR + file.size) : undefined;
}

describe('the Ignition ISO', () => {
  const config = JSON.stringify({ ignition: { version: '3.4.0' }, storage: { files: [] } });

  it('carries ignition/config.ign on a volume labelled ignition', () => {
    const iso = ignitionIso(config);
    expect(iso.length % SECTOR).toBe(0);
    expect(iso.toString('ascii', 16 * SECTOR + 40, 16 * SECTOR + 48)).toBe('ignition');
    expect(readFile(iso, 'ignition', 'config.ign')?.toString('utf8')).toBe(config);
  });

  it('is recognised as an ISO 9660 volume labelled ignition by file(1) and by libblkid, as udev would see it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iso-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'bootstrap.iso');
    writeFileSync(path, ignitionIso(config));
    expect(execFileSync('file', ['-b', path], { encoding: 'utf8' })).toMatch(
      /ISO 9660 CD-ROM filesystem data 'ignition/,
    );
    const probe = execFileSync('blkid', ['-p', '-o', 'export', path], { encoding: 'utf8' });
    expect(probe).toContain('LABEL=ignition');
    expect(probe).toContain('TYPE=iso9660');
  });

  it('is the same bytes for the same config, so an upload can be reused', () => {
    expect(ignitionIso(config).equals(ignitionIso(config))).toBe(true);
  });

  it('holds files larger than one sector', () => {
    const big = Buffer.alloc(5 * SECTOR + 17, 7);
    const iso = buildIso({
      volumeId: 'ignition',
      directory: 'ignition',
      files: [{ name: 'config.ign', data: big }],
    });
    expect(readFile(iso, 'ignition', 'config.ign')?.equals(big)).toBe(true);
  });

  it('rejects names ISO 9660 level 1 cannot hold', () => {
    expect(() =>
      buildIso({
        volumeId: 'x',
        directory: 'ignition',
        files: [{ name: 'config.ignition', data: Buffer.alloc(1) }],
      }),
    ).toThrow('"config.ignition" is not an ISO 9660 level 1 file name');
  });
});
