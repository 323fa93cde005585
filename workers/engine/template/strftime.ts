// Python's `time.strftime` for the directives chat templates use (dates in system prompts).
// Names are English, as in Python's default C locale, so prompts do not depend on the
// browser's locale.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Formats `date` in local time, like Python's `strftime` on `time.localtime()`. */
export function strftime(date: Date, format: string): string {
  return format.replace(/%([a-zA-Z%])/g, (whole, d: string) => {
    switch (d) {
      case 'Y':
        return String(date.getFullYear());
      case 'y':
        return pad(date.getFullYear() % 100);
      case 'm':
        return pad(date.getMonth() + 1);
      case 'd':
        return pad(date.getDate());
      case 'e':
        return String(date.getDate()).padStart(2, ' ');
      case 'B':
        return MONTHS[date.getMonth()];
      case 'b':
      case 'h':
        return MONTHS[date.getMonth()].slice(0, 3);
      case 'A':
        return DAYS[date.getDay()];
      case 'a':
        return DAYS[date.getDay()].slice(0, 3);
      case 'H':
        return pad(date.getHours());
      case 'I':
        return pad(date.getHours() % 12 || 12);
      case 'p':
        return date.getHours() < 12 ? 'AM' : 'PM';
      case 'M':
        return pad(date.getMinutes());
      case 'S':
        return pad(date.getSeconds());
      case 'j': {
        // Midnight to midnight, rounded: a DST change makes one day 23 or 25 hours long.
        const day = new Date(date.getFullYear(), date.getMonth(), date.getDate());
        const start = new Date(date.getFullYear(), 0, 1);
        return pad(Math.round((day.getTime() - start.getTime()) / 86_400_000) + 1, 3);
      }
      case '%':
        return '%';
      // Unknown directives pass through unchanged, as glibc's strftime does.
      default:
        return whole;
    }
  });
}
