-- HAProxy's health check logs in as this password-less user that may do nothing (mysql-check).
CREATE USER IF NOT EXISTS 'haproxy'@'%';
