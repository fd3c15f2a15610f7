import { describe, expect, it } from 'vitest';
import { BankKeys } from './bank-keys';

describe('BankKeys', () => {
  it('keys packs by serial once the master named the bank; a pack that says no serial by position', () => {
    const k = new BankKeys('USB 1a86:7523');
    expect(k.identity({ address: 2, bmsSerial: 'P16S100A1812B0002' }, 1)).toEqual([]);
    expect(k.bank).toBeNull();
    const changes = k.identity({ address: 1, bmsSerial: 'P16S100A1812B0001' }, 1);
    expect(k.bank).toBe('bank:sn:P16S100A1812B0001');
    expect(changes.map((c) => [c.address, c.key.key])).toEqual([
      [2, 'sn:P16S100A1812B0002'],
      [1, 'sn:P16S100A1812B0001']
    ]);
    k.identity({ address: 3, bmsSerial: null }, 1);
    expect(k.keyOf(3)).toEqual({ key: 'addr:bank:sn:P16S100A1812B0001#3', kind: 'address', reason: 'no-serial' });
    k.identity({ address: 4, bmsSerial: 'FFFFFFFF' }, 1);
    expect(k.keyOf(4)).toMatchObject({ kind: 'address', reason: 'unusable-serial' });
  });

  it('a serial two packs share moves both to position keys, saying what each had before', () => {
    const k = new BankKeys('Demo bank');
    k.identity({ address: 1, bmsSerial: 'MASTER01' }, 1);
    k.identity({ address: 2, bmsSerial: 'CLONE001' }, 1);
    const changes = k.identity({ address: 3, bmsSerial: 'CLONE001' }, 1);
    expect(changes).toEqual([
      {
        address: 2,
        key: { key: 'addr:bank:sn:MASTER01#2', kind: 'address', reason: 'duplicate-serial' },
        previous: { key: 'sn:CLONE001', kind: 'serial', reason: null }
      },
      { address: 3, key: { key: 'addr:bank:sn:MASTER01#3', kind: 'address', reason: 'duplicate-serial' }, previous: null }
    ]);
  });

  it('without the master’s identity the bank is the transport’s label; a pack never identified is keyed by position until it is', () => {
    const k = new BankKeys('Demo bank (3 packs)');
    expect(k.forceAddressKey(2)).toEqual([
      { address: 2, key: { key: 'addr:Demo bank (3 packs)#2', kind: 'address', reason: 'no-serial' }, previous: null }
    ]);
    expect(k.bank).toBe('Demo bank (3 packs)');
    const later = k.identity({ address: 2, bmsSerial: 'P16S100A1812B0002' }, 1);
    expect(later.map((c) => c.key.key)).toEqual(['sn:P16S100A1812B0002']);
    // The bank label stays what it was settled to.
    k.identity({ address: 1, bmsSerial: 'P16S100A1812B0001' }, 1);
    expect(k.bank).toBe('Demo bank (3 packs)');
  });
});
