"""The catalogue domain: the home screen's services, and their administration."""

from __future__ import annotations

from serang_app.auth.permissions import Permission
from serang_app.catalogue.admin_routes import CatalogueAdminController
from serang_app.catalogue.routes import list_services
from serang_app.declaration import CoreDomain

CATALOGUE = CoreDomain(
    name="catalogue",
    public_routes=(list_services,),
    signed_in_routes=(CatalogueAdminController,),
    permissions=(Permission("catalogue.manage", ("admin",), "Edit, open, close and order the catalogue's services"),),
)
