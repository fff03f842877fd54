from django.contrib import admin
from django.urls import include, path

from . import views
from .views import accounts, audit, backups, dashboard, devices_page, rules, setup

urlpatterns = [
    path("v1/", include("devices.urls")),  # unauthenticated device pairing (devices/views.py)
    path("v1/", include("gateway.urls")),
    path("api/", include("gateway.ollama_urls")),  # Ollama's API, for clients that speak only it
    path("healthz", views.healthz),
    # One way in for every page: Django admin's own login view knows no throttle and no TOTP.
    path("admin/login/", accounts.admin_sign_in),
    path("admin/", admin.site.urls),
    # The box's own pages (appliance/views/): the wizard, dashboard, audit log, accounts.
    path("setup/", setup.claim),
    path("setup/restore/", backups.first_boot_restore),
    path("setup/hardware/", setup.hardware_step),
    path("setup/engine/", setup.engine_status),
    path("setup/providers/", setup.providers_step),
    path("setup/providers/<int:provider_id>/check/", setup.check_provider_key),
    path("setup/providers/<int:provider_id>/remove/", setup.remove_provider),
    path("setup/rules/", setup.rules_step),
    path("setup/devices/", setup.devices_step),
    path("setup/devices/found/<int:found_id>/pair/", setup.pair_found),
    path("setup/devices/found/<int:found_id>/ignore/", setup.ignore_found),
    path("setup/finish/", setup.finish_step),
    path("dashboard/", dashboard.dashboard_page),
    path("rules/", rules.rules_page),
    path("rules/new/", rules.edit_rule),
    path("rules/<int:rule_id>/", rules.edit_rule),
    path("rules/<int:rule_id>/move/", rules.move_rule),
    path("rules/<int:rule_id>/remove/", rules.remove_rule),
    path("rules/order/", rules.reorder_rules),
    path("rules/try/", rules.try_request),
    path("rules/preset/", rules.apply_preset),
    path("rules/export.yaml", rules.export_rules),
    path("rules/import/", rules.import_rules),
    path("devices/", devices_page.devices_page),
    path("devices/<int:device_id>/", devices_page.edit_device),
    path("devices/<int:device_id>/rotate/", devices_page.rotate_key),
    path("devices/<int:device_id>/revoke/", devices_page.revoke_key),
    path("audit/", audit.audit_log),
    path("audit/<int:event_id>/", audit.audit_detail),
    path("audit/export.csv", audit.audit_export, {"fmt": "csv"}),
    path("audit/export.json", audit.audit_export, {"fmt": "json"}),
    path("audit/settings/", audit.audit_settings),
    path("audit/verify/", audit.audit_verify),
    path("audit/checkpoint/", audit.audit_checkpoint),
    path("backups/", backups.backups_page),
    path("backups/passphrase/", backups.backup_passphrase),
    path("backups/schedule/", backups.backup_schedule),
    path("backups/now/", backups.backup_now),
    path("backups/restore/", backups.backup_restore),
    path("backups/<str:name>", backups.backup_download),
    path("login/", accounts.sign_in),
    path("logout/", accounts.sign_out),
    path("members/", accounts.members),
    path("members/<int:user_id>/remove/", accounts.remove_member),
    path("account/", accounts.account),
    path("", dashboard.home),
]
