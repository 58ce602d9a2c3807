const SOUND_KEY = 'opvangatlas.requestSound';
const NOTIFY_KEY = 'opvangatlas.requestNotify';

function stored(key: string): boolean {
  try {
    return localStorage.getItem(key) === 'on';
  } catch {
    return false;
  }
}

function store(key: string, on: boolean): void {
  try {
    localStorage.setItem(key, on ? 'on' : 'off');
  } catch {
    // storage blocked: the choice lasts this page only
  }
}

/** How the night shift wants to be told of new requests: kept on this device. */
class AlertPrefs {
  sound = $state(false);
  notify = $state(false);

  init(): void {
    this.sound = stored(SOUND_KEY);
    this.notify =
      stored(NOTIFY_KEY) && 'Notification' in window && Notification.permission === 'granted';
  }

  setSound(on: boolean): void {
    this.sound = on;
    store(SOUND_KEY, on);
  }

  async setNotify(on: boolean): Promise<void> {
    if (on && 'Notification' in window && Notification.permission !== 'granted') {
      on = (await Notification.requestPermission()) === 'granted';
    }
    this.notify = on;
    store(NOTIFY_KEY, on);
  }
}

export const alertPrefs = new AlertPrefs();
