# shellcheck shell=bash
# Real-traffic threat captures for scripts/threat-fixtures.sh: Debian servers in the server
# namespace (10.0.0.10), Debian clients or scripts/threats/clients.py in the client namespace
# (10.0.0.9), recorded on the veth between them. One function per group; each starts its servers,
# records its captures and leaves stopping to the caller's stop_all.

CL="$PY $HERE/clients.py"

# --- servers ---------------------------------------------------------------------------------

nginx_start() {
  local d=$WORK/nginx
  mkdir -p "$d/logs" "$d/tmp" "$d/www/upload"
  chown -R www-data "$d/www" "$d/tmp"
  cat >"$d/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
user www-data;
pid $d/nginx.pid;
error_log $d/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  default_type text/plain;
  client_body_temp_path $d/tmp/body; proxy_temp_path $d/tmp/proxy; fastcgi_temp_path $d/tmp/fcgi;
  uwsgi_temp_path $d/tmp/uwsgi; scgi_temp_path $d/tmp/scgi;
  server {
    listen 80;
    server_name www.example.test;
    location / { return 200 "hello from nginx\n"; }
    location /api/ { return 201 '{"ok":true}'; }
    location /struts2-rest-showcase/ { return 200 "order saved\n"; }
    location /upload/ { root $d/www; dav_methods PUT; create_full_put_path on; client_max_body_size 1m; }
  }
}
EOF
  bg_s nginx nginx -p "$d" -c "$d/nginx.conf"
  wait_s tcp 80
}

# tls_start: openssl s_server on 443 that accepts every protocol version from TLS 1.0 on (SECLEVEL=0)
tls_start() {
  local d=$WORK/tls
  selfsigned "$d" tls.example.test
  bg_s s_server openssl s_server -accept 443 -cert "$d/cert.pem" -key "$d/key.pem" -www \
    -cipher 'ALL:@SECLEVEL=0' -min_protocol TLSv1
  wait_s tcp 443
}

# named_start: BIND 9 authoritative for example.test, transfers and updates allowed from anyone
named_start() {
  local d=$WORK/named i
  mkdir -p "$d"
  {
    cat <<'EOF'
$TTL 300
@        IN SOA ns1.example.test. hostmaster.example.test. ( 2026010101 3600 600 86400 300 )
@        IN NS  ns1.example.test.
@        IN MX  10 mail.example.test.
@        IN TXT "v=nvp threat fixture zone"
ns1      IN A   10.0.0.10
www      IN A   10.0.0.20
api      IN A   10.0.0.21
mail     IN A   10.0.0.25
alias    IN CNAME www.example.test.
null     IN TYPE10 \# 8 6e76702d6e756c6c
EOF
    # big: one TXT record of 12 strings of 250 letters (a ~3 KB answer)
    printf 'big      IN TXT'
    for c in a b c d e f g h i j k l; do printf ' "%s"' "$(head -c 250 /dev/zero | tr '\0' "$c")"; done
    printf '\n'
    # many: 100 A records (BIND's default limit per record set), a ~1.7 KB answer
    for i in $(seq 1 100); do printf 'many     IN A   10.1.0.%d\n' "$i"; done
  } >"$d/example.test.zone"
  cat >"$d/named.conf" <<EOF
options {
  directory "$d";
  pid-file "$d/named.pid";
  session-keyfile "$d/session.key";
  listen-on port 53 { $IP_S; };
  listen-on-v6 { none; };
  recursion no;
  allow-transfer { any; };
  edns-udp-size 4096;
  max-udp-size 4096;
  dnssec-validation no;
};
controls { };
zone "example.test" { type primary; file "$d/example.test.zone"; allow-update { any; }; };
EOF
  named-checkconf "$d/named.conf" && named-checkzone -q example.test "$d/example.test.zone" || return 1
  chmod -R a+rwX "$d"
  bg_s named named -g -u root -c "$d/named.conf"
  wait_s udp 53
  wait_s tcp 53
  in_c dig +short +time=2 +tries=3 "@$IP_S" example.test SOA | grep -q hostmaster || { log "named did not load example.test"; return 1; }
}

PGBIN=/usr/lib/postgresql/15/bin
pg_start() {
  local d=$WORK/postgresql
  mkdir -p "$d/sock" && chown -R postgres:postgres "$d"
  echo secret >"$d/pw" && chown postgres "$d/pw"
  runuser -u postgres -- "$PGBIN/initdb" -D "$d/data" -U postgres --pwfile="$d/pw" \
    --auth-local=trust --auth-host=scram-sha-256 >"$d/initdb.log" 2>&1 || return 1
  cat >>"$d/data/postgresql.conf" <<EOF
listen_addresses = '$IP_S'
unix_socket_directories = '$d/sock'
logging_collector = off
EOF
  echo "host all all 10.0.0.0/24 scram-sha-256" >>"$d/data/pg_hba.conf"
  bg_s postgres runuser -u postgres -- "$PGBIN/postgres" -D "$d/data" -p 5432
  wait_s tcp 5432
  sleep 0.5
  in_s runuser -u postgres -- "$PGBIN/psql" -h "$d/sock" -U postgres -qAt \
    -c "CREATE ROLE app LOGIN PASSWORD 'secret';" -c "CREATE DATABASE shop OWNER app;" >/dev/null || return 1
  in_s runuser -u postgres -- "$PGBIN/psql" -h "$d/sock" -U postgres -d shop -qAt -c "SET ROLE app;
    CREATE TABLE users (id int PRIMARY KEY, name text, password text);
    INSERT INTO users VALUES (1, 'ann', 'x1'), (2, 'bob', 'x2');
    CREATE TABLE items (id int PRIMARY KEY, name text);
    INSERT INTO items VALUES (1, 'apple'), (2, 'pear');
    CREATE TABLE shifts (id serial PRIMARY KEY, team text, sleep_minutes int);
    INSERT INTO shifts (team, sleep_minutes) VALUES ('night union', 420);" >/dev/null || return 1
}

my_start() {
  local d=$WORK/mysql
  mkdir -p "$d/data" "$d/run" && chown -R mysql:mysql "$d"
  mariadb-install-db --no-defaults --datadir="$d/data" --user=mysql --skip-test-db >"$d/install.log" 2>&1 || return 1
  bg_s mariadbd mariadbd --no-defaults --datadir="$d/data" --socket="$d/run/sock" --pid-file="$d/run/pid" \
    --port=3306 --bind-address="$IP_S" --user=mysql --skip-name-resolve --skip-log-bin
  wait_s tcp 3306
  in_s mariadb --no-defaults -S "$d/run/sock" -u root <<'EOF' || return 1
CREATE DATABASE shop;
CREATE DATABASE payroll;
CREATE USER 'app'@'10.0.0.9' IDENTIFIED BY 'secret';
GRANT ALL ON shop.* TO 'app'@'10.0.0.9';
CREATE TABLE shop.users (id INT PRIMARY KEY, name VARCHAR(32), password VARCHAR(32));
INSERT INTO shop.users VALUES (1, 'ann', 'x1'), (2, 'bob', 'x2');
CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(32));
INSERT INTO shop.items VALUES (1, 'apple'), (2, 'pear');
CREATE TABLE shop.shifts (id INT AUTO_INCREMENT PRIMARY KEY, team VARCHAR(32), sleep_minutes INT);
INSERT INTO shop.shifts (team, sleep_minutes) VALUES ('night union', 420);
EOF
}

# --- groups ----------------------------------------------------------------------------------

group_icmp() {
  cap_start ping-normal icmp
  in_c ping -c 5 -i 0.2 "$IP_S" >/dev/null
  cap_stop
  cap_start ping-3000 icmp
  in_c ping -c 3 -i 0.2 -s 3000 "$IP_S" >/dev/null
  cap_stop
  cap_start ping-death-40000 icmp
  in_c ping -c 1 -s 40000 "$IP_S" >/dev/null
  cap_stop
}

group_tcp() {
  nginx_start
  # hping3: 820 SYNs to an open port, one every 4 ms; nginx answers SYN/ACK, the client kernel RSTs
  cap_start syn-flood-hping3 "host $IP_C and tcp port 80"
  in_c hping3 -q -S -p 80 -i u4000 -c 820 "$IP_S" >/dev/null 2>&1 || true
  cap_stop
  cap_start tcp-small-mss-88 "tcp port 80"
  in_c $CL mss 88 "$IP_S" 80
  cap_stop
  cap_start k8s-mitm "tcp port 80"
  in_c curl -sS -o /dev/null --max-time 5 "http://$IP_EXT/"
  cap_stop
  cap_start k8s-workload-ip "tcp port 80"
  in_c curl -sS -o /dev/null --max-time 5 "http://$IP_S/"
  cap_stop
}

group_http() {
  nginx_start
  local n
  for n in negative-length chunk-negative smuggling same-length-twice; do
    cap_start "http-$n" "tcp port 80"
    in_c $CL http "$n" "$IP_S" 80
    cap_stop
  done
  cap_start http-normal "tcp port 80"
  in_c curl -sS -o /dev/null --max-time 5 "http://$IP_S/"
  in_c curl -sS -o /dev/null --max-time 5 -H 'Content-Type: application/json' --data '{"name":"apple"}' "http://$IP_S/api/items"
  in_c curl -sS -o /dev/null --max-time 5 -H 'Transfer-Encoding: chunked' -H 'Content-Type: text/plain' \
    --data-binary 'a chunked upload body' "http://$IP_S/api/items"
  cap_stop
  cap_start http-slowloris "tcp port 80"
  in_c $CL slow-headers "$IP_S" 80
  cap_stop
  cap_start http-slow-upload "tcp port 80"
  in_c $CL slow-upload "$IP_S" 80
  cap_stop
  cap_start struts-rce "tcp port 80"
  in_c curl -sS -o /dev/null --max-time 5 -H 'Content-Type: application/xml' \
    --data-binary "@$HERE/struts-rce.xml" "http://$IP_S/struts2-rest-showcase/orders/3"
  cap_stop
  cap_start struts-benign-xml "tcp port 80"
  in_c curl -sS -o /dev/null --max-time 5 -H 'Content-Type: application/xml' \
    --data-binary "@$HERE/struts-benign.xml" "http://$IP_S/struts2-rest-showcase/orders/3"
  cap_stop
}

group_tls() {
  tls_start
  local S="$IP_S:443"
  cap_start tls-1.0 "tcp port 443"
  echo | in_c openssl s_client -connect "$S" -servername tls.example.test -tls1 -cipher 'ALL:@SECLEVEL=0' >/dev/null 2>&1
  cap_stop
  cap_start tls-1.1 "tcp port 443"
  echo | in_c openssl s_client -connect "$S" -servername tls.example.test -tls1_1 -cipher 'ALL:@SECLEVEL=0' >/dev/null 2>&1
  cap_stop
  cap_start tls-1.2 "tcp port 443"
  in_c curl -sS -k -o /dev/null --max-time 5 --tlsv1.2 --tls-max 1.2 --resolve "tls.example.test:443:$IP_S" https://tls.example.test/
  cap_stop
  cap_start tls-1.3 "tcp port 443"
  in_c curl -sS -k -o /dev/null --max-time 5 --tlsv1.3 --resolve "tls.example.test:443:$IP_S" https://tls.example.test/
  cap_stop
  cap_start ssl-heartbleed "tcp port 443"
  in_c $CL heartbeat bad "$IP_S" 443
  cap_stop
  cap_start ssl-heartbeat-legal "tcp port 443"
  in_c $CL heartbeat legal "$IP_S" 443
  cap_stop
  cap_start sslv2-hello "tcp port 443"
  in_c $CL sslv2 ok "$IP_S" 443
  cap_stop
  cap_start ssl-cipher-overflow "tcp port 443"
  in_c $CL sslv2 overflow "$IP_S" 443
  cap_stop
}

# non-first fragments carry no UDP header: "port 53" alone would drop them
DNS_FILTER="port 53 or (ip[6:2] & 0x1fff != 0)"

group_dns() {
  named_start
  local D=(dig +time=2 +tries=1 "@$IP_S")
  cap_start dns-axfr "$DNS_FILTER"
  in_c "${D[@]}" example.test AXFR >/dev/null
  cap_stop
  cap_start dns-ixfr "$DNS_FILTER"
  in_c "${D[@]}" example.test IXFR=2026010100 >/dev/null
  cap_stop
  cap_start dns-null "$DNS_FILTER"
  in_c "${D[@]}" null.example.test NULL >/dev/null
  cap_stop
  cap_start dns-short-names "$DNS_FILTER"
  in_c "${D[@]}" www.example.test A >/dev/null
  in_c "${D[@]}" alias.example.test A >/dev/null
  in_c "${D[@]}" example.test MX >/dev/null
  in_c "${D[@]}" example.test TXT >/dev/null
  in_c "${D[@]}" example.test SOA >/dev/null
  in_c "${D[@]}" nosuch.example.test A >/dev/null
  cap_stop
  cap_start dns-large-legal "$DNS_FILTER"
  in_c $CL dns-tcp-large "$IP_S"
  in_c "${D[@]}" +bufsize=4096 many.example.test A >/dev/null
  in_c "${D[@]}" +tcp big.example.test TXT >/dev/null
  cap_stop
  cap_start dns-overflow-tcp "$DNS_FILTER"
  in_c $CL dns-tcp-overflow "$IP_S"
  cap_stop
  cap_start dns-loop-pointer "$DNS_FILTER"
  in_c $CL dns-loop "$IP_S"
  cap_stop
}

group_mysql() {
  my_start
  local M=(mariadb --no-defaults --protocol=TCP -h "$IP_S" -P 3306 --skip-ssl --comments)
  cap_start mysql-access-deny "tcp port 3306"
  in_c "${M[@]}" -u nobody -pwrong -e "SELECT 1" >/dev/null 2>&1 && { log "nobody logged in?"; return 1; }
  cap_stop
  cap_start mysql-access-deny-db "tcp port 3306"
  in_c "${M[@]}" -u app -psecret payroll -e "SELECT 1" >/dev/null 2>&1 && { log "app reached payroll?"; return 1; }
  cap_stop
  cap_start mysql-legal "tcp port 3306"
  in_c "${M[@]}" -u app -psecret shop -e "SELECT id, name FROM items ORDER BY id;
SELECT team, sleep_minutes FROM shifts WHERE team = 'night union';
SELECT name FROM items WHERE id = 1 UNION ALL SELECT name FROM items WHERE id = 2;
SELECT id FROM users WHERE name = 'ann' OR name = 'bob';
INSERT INTO shifts (team, sleep_minutes) VALUES ('union local 12', 480);" >/dev/null
  cap_stop
  cap_start sql-injection-mysql "tcp port 3306"
  local q
  for q in "SELECT * FROM users WHERE name = '' OR 'a'='a'" \
           "SELECT SLEEP(5)" \
           "SELECT name FROM users WHERE id = 1 UNION SELECT password FROM users -- '" \
           "SELECT BENCHMARK(1000000, MD5('nvp'))"; do
    in_c "${M[@]}" -u app -psecret shop -e "$q" >/dev/null
  done
  cap_stop
}

group_postgresql() {
  pg_start
  local P=(psql -X -qAt "host=$IP_S port=5432 user=app dbname=shop sslmode=disable gssencmode=disable")
  cap_start postgresql-legal "tcp port 5432"
  in_c env PGPASSWORD=secret "${P[@]}" -c "SELECT id, name FROM items ORDER BY id;" \
    -c "SELECT team, sleep_minutes FROM shifts WHERE team = 'night union';" \
    -c "SELECT name FROM items WHERE id = 1 UNION ALL SELECT name FROM items WHERE id = 2;" \
    -c "SELECT id FROM users WHERE name = 'ann' OR name = 'bob';" >/dev/null
  cap_stop
  cap_start sql-injection-postgresql "tcp port 5432"
  in_c env PGPASSWORD=secret "${P[@]}" -c "SELECT * FROM users WHERE name = '' OR 'a'='a'" >/dev/null
  in_c env PGPASSWORD=secret "${P[@]}" -c "SELECT name FROM users WHERE id = 1 UNION SELECT password FROM users --" >/dev/null
  cap_stop
}

group_ssh() {
  local d=$WORK/ssh
  mkdir -p "$d" /run/sshd
  chmod 700 "$d"
  ssh-keygen -q -t ed25519 -N '' -f "$d/host_ed25519" -C threat-fixture-host
  ssh-keygen -q -t ed25519 -N '' -f "$d/client_ed25519" -C threat-fixture-client
  cp "$d/client_ed25519.pub" "$d/authorized_keys"
  cat >"$d/sshd_config" <<EOF
Port 22
ListenAddress $IP_S
HostKey $d/host_ed25519
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
EOF
  local S=(ssh -F /dev/null -i "$d/client_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
    -o BatchMode=yes -o LogLevel=ERROR -o ConnectTimeout=5)
  bg_s sshd /usr/sbin/sshd -D -e -f "$d/sshd_config"
  wait_s tcp 22
  cap_start ssh-2 "tcp port 22"
  in_c "${S[@]}" "root@$IP_S" 'echo hello' >/dev/null
  cap_stop
  stop_name sshd
  local b name
  for b in "ssh-v1:SSH-1.5-1.2.27" "ssh-1.99:SSH-1.99-OpenSSH_3.9p1"; do
    name=${b%%:*}
    bg_s "fake-$name" $PY "$HERE/clients.py" ssh-server "${b#*:}" 22
    wait_s tcp 22
    cap_start "$name" "tcp port 22"
    in_c "${S[@]}" "root@$IP_S" true >/dev/null 2>&1 || true
    cap_stop
    stop_name "fake-$name"
  done
}
