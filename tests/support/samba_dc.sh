#!/usr/bin/env bash
# A throwaway Samba AD domain controller for tests, on 127.0.0.1 (LDAP 389, LDAPS 636).
#   samba_dc.sh provision DIR   domain CORP.EXAMPLE.TEST into DIR, with its own CA
#                               (DIR/pki/ca.pem; DIR/pki/wrong-ca.pem is another CA), and the
#                               user "reader" with read rights (not control access) on
#                               msFVE-RecoveryInformation objects below OU=Lockbox Test;
#                               DIR/krb5.conf for Kerberos against it (service principal
#                               ldap/127.0.0.1)
#   samba_dc.sh start DIR       starts samba (PID in DIR/samba.pid) and waits for LDAPS
# Passwords: Administrator 'Passw0rd!Adm1n', reader 'Passw0rd!Read1'. Stop: kill -TERM PID.
set -euo pipefail
action=${1:?usage: samba_dc.sh provision|start DIR}
dir=${2:?usage: samba_dc.sh provision|start DIR}
base="DC=corp,DC=example,DC=test"

if [ "$action" = start ]; then
  for port in 389 636; do
    if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
      echo "something already listens on 127.0.0.1:$port: stop it (another samba?) first" >&2
      exit 1
    fi
  done
  samba -i -M single -s "$dir/etc/smb.conf" > "$dir/log/samba.out" 2>&1 &
  echo $! > "$dir/samba.pid"
  for _ in $(seq 1 300); do
    LDAPTLS_CACERT="$dir/pki/ca.pem" ldapsearch -x -H ldaps://127.0.0.1 -b "" -s base dn \
      >/dev/null 2>&1 && exit 0
    kill -0 "$(cat "$dir/samba.pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "samba did not answer LDAPS on 127.0.0.1:636 (is another LDAP server there?):" >&2
  tail -n 20 "$dir/log/samba.out" >&2
  exit 1
fi

mkdir -p "$dir/log" "$dir/pki"
( cd "$dir/pki"
  for ca in ca wrong-ca; do
    openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca.key -out $ca.pem -days 2 \
      -subj "/CN=Lockbox test $ca" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  done
  openssl req -newkey rsa:2048 -nodes -keyout dc.key -out dc.csr -subj "/CN=dc1.corp.example.test" \
    2>/dev/null
  printf 'subjectAltName=DNS:dc1.corp.example.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' \
    > ext.cnf
  openssl x509 -req -in dc.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out dc.pem -days 2 \
    -extfile ext.cnf 2>/dev/null
  chmod 600 dc.key )
samba-tool domain provision --use-rfc2307 --realm=CORP.EXAMPLE.TEST --domain=CORP \
  --server-role=dc --dns-backend=NONE --host-name=dc1 --adminpass='Passw0rd!Adm1n' \
  --targetdir="$dir" --option="interfaces=lo" --option="bind interfaces only=yes" \
  --option="server services=-dns" --option="log file=$dir/log/log.%m" \
  --option="tls keyfile=$dir/pki/dc.key" --option="tls certfile=$dir/pki/dc.pem" \
  --option="tls cafile=$dir/pki/ca.pem" > "$dir/log/provision.log" 2>&1 ||
  { tail -n 20 "$dir/log/provision.log" >&2; exit 1; }
# Plain-LDAP simple binds are refused unless this is set (provision drops it as an option).
sed -i '/^\[global\]/a\\tldap server require strong auth = no' "$dir/etc/smb.conf"

sam="$dir/private/sam.ldb"
ldbadd -H "$sam" > "$dir/log/ldbadd.log" <<LDIF
dn: OU=Lockbox Test,$base
objectClass: organizationalUnit

dn: CN=TPM Devices,$base
objectClass: msTPM-InformationObjectsContainer
LDIF
samba-tool user create reader 'Passw0rd!Read1' -H "$sam" > /dev/null
sid=$(ldbsearch -H "$sam" '(sAMAccountName=reader)' objectSid | sed -n 's/^objectSid: //p')
# Read (RP LC LO RC) on msFVE-RecoveryInformation objects (ea715d30-...) below the OU: the
# objects are visible, their confidential attributes are not.
samba-tool dsacl set -H "$sam" --objectdn="OU=Lockbox Test,$base" \
  --sddl="(OA;CIIO;RPLCLORC;;ea715d30-8f53-40d0-bd1e-6109186d782c;$sid)" > /dev/null

# Kerberos: clients name the service by the URL's host (ldap/127.0.0.1); the KDC is samba's.
samba-tool spn add ldap/127.0.0.1 'dc1$' -H "$sam" > /dev/null
cat > "$dir/krb5.conf" <<KRB5
[libdefaults]
	default_realm = CORP.EXAMPLE.TEST
	dns_lookup_kdc = false
	dns_lookup_realm = false
	rdns = false
[realms]
	CORP.EXAMPLE.TEST = {
		kdc = 127.0.0.1
	}
KRB5
