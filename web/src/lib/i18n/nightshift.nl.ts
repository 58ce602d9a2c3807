/**
 * Dutch texts of the night shift and the map (issue 14): connection state, intake phone,
 * ranking, hold warnings, Mijn locaties; spread into nl.ts.
 */
export const nightshiftNl = {
  'connection.lost': 'Geen verbinding',
  'connection.dataFrom': 'gegevens van {time}',
  'connection.staleNotice':
    'Geen verbinding sinds {time}: wat hier staat kan verouderd zijn. Wijzigingen van anderen komen binnen zodra de verbinding terug is.',
  'connection.staleNoticeNoTime':
    'Geen verbinding: wat hier staat kan verouderd zijn. Wijzigingen van anderen komen binnen zodra de verbinding terug is.',

  'phone.intake': 'Intake 24/7',
  'phone.callNow': 'Bel nu de intake',
  'hold.callHintPhone':
    'Bel de intake om de plaatsing af te spreken; het adres krijg je telefonisch.',
  'rank.staleLower':
    'Lager in de lijst: al meer dan 8 uur niet bevestigd, het aantal kan afwijken. Bel eerst.',
  'error.code.hold_extension_limit':
    'Deze reservering is al verlengd (maximaal {max} keer). Bel de locatie of laat haar los.',
  'hold.warnTen': 'Nog minder dan 10 minuten vastgehouden ({name}). Verleng of bel de intake.',
  'hold.warnTwo': 'Nog minder dan 2 minuten vastgehouden ({name})! Daarna komt de plek weer vrij.',
  'hold.expiredNotice':
    'De reservering van {name} is verlopen: de plek is weer vrij voor iedereen.',
  'hold.extend': 'Verlengen',
  'hold.extended': 'Verlengd tot {time} ({name}).',
  'hold.extendedOnce': 'Al verlengd',
  'marker.group.one': 'en {count} regio in de buurt: {names}. Kies om te openen en in te zoomen.',
  'marker.group.other':
    'en {count} regio’s in de buurt: {names}. Kies om te openen en in te zoomen.',
  'locations.switcher': 'Locatie',
  'locations.allLocations': 'Alle locaties ({count})',
  'locations.optionCounts': '{name} ({free} vrij van {total})',
  'locations.statusFilter': 'Toon ruimtes',
  'locations.allStatuses': 'Alle',
  'locations.noneWithStatus': 'Geen ruimtes met deze status.',
} as const;
