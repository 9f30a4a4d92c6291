"""Put, get, watch and lease through python3-etcd3gw (Debian's), against one endpoint.

Usage: python3 etcd3gw-smoke.py HOST PORT. Prints one line per step and "ok" at the end;
exits non-zero on the first difference. Bounded: the whole run is cut off after 60 seconds.
"""
import signal
import sys
import threading

from etcd3gw.client import Etcd3Client

signal.alarm(60)
host, port = sys.argv[1], int(sys.argv[2])
# etcd 3.4 serves /v3/ (and /v3beta/); etcd3gw 2.0 defaults to /v3alpha/, which it does not.
c = Etcd3Client(host=host, port=port, api_path='/v3/', timeout=30)


def check(what, got, want):
    print(what, repr(got), flush=True)
    if got != want:
        sys.exit('%s: got %r, want %r' % (what, got, want))


check('put', c.put('gw/a', 'one'), True)
check('get', c.get('gw/a'), [b'one'])
check('get missing', c.get('gw/none'), [])

events, cancel = c.watch('gw/w')
seen = []
done = threading.Event()


def consume():
    for e in events:
        seen.append(e)
        done.set()
        return


threading.Thread(target=consume, daemon=True).start()
# The watch is created by the time the POST returned its headers; a put after it is seen.
c.put('gw/w', 'later')
done.wait(20)
cancel()
check('watch event', [(e['kv']['key'], e['kv']['value']) for e in seen],
      [(b'gw/w', b'later')])

lease = c.lease(ttl=30)
check('lease ttl granted', 0 < lease.ttl() <= 30, True)
check('put with lease', c.put('gw/leased', 'v', lease=lease), True)
check('lease keys', lease.keys(), [b'gw/leased'])
check('refresh', lease.refresh() > 0, True)
check('revoke', lease.revoke(), True)
check('leased key gone', c.get('gw/leased'), [])
print('ok')
