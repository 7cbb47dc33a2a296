-- One-time bootstrap of an Ehr.Saas database, run by a PostgreSQL superuser (psql -v pw=... -f bootstrap.sql).
-- Everything else (schemas platform, ext, hangfire and t_<slug>, tenant roles, extensions) is created by the host's
-- own migrations as the roles below; none of them is a superuser.
--
--   ehr_owner  NOLOGIN   owns the database and every schema; the host sets this role only to run DDL.
--   ehr        LOGIN     the application. NOINHERIT: it holds no table privileges of its own role memberships
--                        until it SETs a role, and it is only ever a member of ehr_owner and of the tenant roles
--                        (t_<slug>), which it creates (CREATEROLE) when it provisions a tenant.
\set ON_ERROR_STOP on
CREATE ROLE ehr_owner NOLOGIN;
CREATE ROLE ehr LOGIN NOINHERIT CREATEROLE PASSWORD :'pw';
GRANT ehr_owner TO ehr;
CREATE DATABASE ehr OWNER ehr_owner;
REVOKE ALL ON DATABASE ehr FROM PUBLIC;
GRANT CONNECT, CREATE ON DATABASE ehr TO ehr;
