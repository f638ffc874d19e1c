#!/bin/sh
# Installs quay as a system service: the quay user and group, its folders, the systemd unit
# and the udev rules. Run as root from the quay checkout: sudo scripts/install-service.sh
# PREFIX is where the checkout lives (default /opt/quay). Not run by the tests.
set -eu

PREFIX=${PREFIX:-/opt/quay}
here=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" -ne 0 ]; then
  echo "install-service.sh: run as root (sudo)" >&2
  exit 1
fi
if [ ! -x "$PREFIX/bin/quay" ]; then
  echo "install-service.sh: no $PREFIX/bin/quay; set PREFIX to the quay checkout" >&2
  exit 1
fi

getent group quay >/dev/null || groupadd --system quay
if ! id quay >/dev/null 2>&1; then
  useradd --system --gid quay --home-dir /var/lib/quay --no-create-home \
    --shell /usr/sbin/nologin --comment "quay card terminal" quay
fi

install -d -o quay -g quay -m 0700 /var/lib/quay
install -d -o quay -g quay -m 0750 /var/log/quay
install -d -o root -g quay -m 0750 /etc/quay

sed "s#/opt/quay#$PREFIX#g" "$here/systemd/quay.service" > /etc/systemd/system/quay.service
chmod 0644 /etc/systemd/system/quay.service
install -m 0644 "$here/udev/60-quay.rules" /etc/udev/rules.d/60-quay.rules

udevadm control --reload
udevadm trigger --subsystem-match=tty --subsystem-match=usbmisc --subsystem-match=hidraw
systemctl daemon-reload
systemctl enable quay.service

echo "Installed. Next, as root: $PREFIX/bin/quay provision -i --out /etc/quay/quay.yaml"
echo "  (dataDir: /var/lib/quay, logs.path: /var/log/quay/quay.log),"
echo "  chown -R quay:quay /var/lib/quay /var/log/quay; chgrp quay /etc/quay/quay.yaml,"
echo "  then systemctl start quay && $PREFIX/bin/quay --config /etc/quay/quay.yaml doctor"
