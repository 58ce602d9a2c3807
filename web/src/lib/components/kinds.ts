import { unitKinds, type Cell, type UnitKind } from '@opvangatlas/shared';

/** N / C / V / G: the Dutch initials, the same in both languages (they are domain terms). */
export function kindShort(kind: UnitKind): string {
  return { noodbed: 'N', crisis: 'C', vervolg: 'V', geen_onderscheid: 'G' }[kind];
}

/** Noodbed, crisis and vervolg always; "geen onderscheid" only where a region registers it. */
export function markerKinds(counts: Record<UnitKind, Cell>): UnitKind[] {
  return unitKinds.filter((k) => k !== 'geen_onderscheid' || counts[k] !== 0);
}
