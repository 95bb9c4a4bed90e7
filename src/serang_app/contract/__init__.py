"""The module contract kit: the tests every module must pass (ModuleContract), shipped with the
core as a pytest plugin so that a module author runs them against their own package, and what a
module's own tests need: the app with the module on a fresh database, and signed-in residents."""

from serang_app.contract.clients import app_client, module_client, signed_in_resident
from serang_app.contract.servers import TestServer
from serang_app.contract.suite import ModuleContract

__all__ = ["ModuleContract", "TestServer", "app_client", "module_client", "signed_in_resident"]
