import { describe, expect, it } from 'vitest';
import { duplicateProblems } from '../src/index.js';

describe('duplicate entries of a repeatable group', () => {
  it('names every later holder of a value at its own field, and leaves empty values to the required rules', () => {
    const disks = [
      { name: 'etcd' },
      { name: '' },
      { name: 'etcd' },
      { name: 'data' },
      { name: 'etcd' },
      { name: '' },
    ];
    expect(
      duplicateProblems(
        disks,
        (disk) => disk.name,
        (i) => `disks.${i}.name`,
        (name) => `${name} is already a disk of this slot`,
      ),
    ).toEqual([
      { field: 'disks.2.name', message: 'etcd is already a disk of this slot' },
      { field: 'disks.4.name', message: 'etcd is already a disk of this slot' },
    ]);
    expect(duplicateProblems([], () => 'x', String, String)).toEqual([]);
  });
});
