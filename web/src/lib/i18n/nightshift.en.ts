import type { nightshiftNl } from './nightshift.nl';

/** English texts of the night shift and the map; the keys of nightshift.nl.ts. */
export const nightshiftEn = {
  'connection.lost': 'No connection',
  'connection.dataFrom': 'data from {time}',
  'connection.staleNotice':
    'No connection since {time}: what you see may be out of date. Changes by others arrive as soon as the connection is back.',
  'connection.staleNoticeNoTime':
    'No connection: what you see may be out of date. Changes by others arrive as soon as the connection is back.',

  'phone.intake': 'Intake 24/7',
  'phone.callNow': 'Call the intake now',
  'hold.callHintPhone': 'Call the intake to arrange the placement; you get the address by phone.',
  'rank.staleLower':
    'Lower in the list: not confirmed for more than 8 hours, the number may be wrong. Call first.',
  'error.code.hold_extension_limit':
    'This hold was already extended (at most {max} times). Call the location or release it.',
  'hold.warnTen': 'Less than 10 minutes left on the hold ({name}). Extend it or call the intake.',
  'hold.warnTwo': 'Less than 2 minutes left on the hold ({name})! Then the place is free again.',
  'hold.expiredNotice': 'The hold on {name} has expired: the place is free for everyone again.',
  'hold.extend': 'Extend',
  'hold.extended': 'Extended until {time} ({name}).',
  'hold.extendedOnce': 'Already extended',
  'marker.group.one': 'and {count} region nearby: {names}. Choose to open and zoom in.',
  'marker.group.other': 'and {count} regions nearby: {names}. Choose to open and zoom in.',
  'locations.switcher': 'Location',
  'locations.allLocations': 'All locations ({count})',
  'locations.optionCounts': '{name} ({free} free of {total})',
  'locations.statusFilter': 'Show units',
  'locations.allStatuses': 'All',
  'locations.noneWithStatus': 'No units with this status.',
} as const satisfies Record<keyof typeof nightshiftNl, string>;
