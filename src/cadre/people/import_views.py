# Placeholder replaced by the import work.
from django.http import HttpResponse


def import_start(request, pk=None):
    return HttpResponse("")


import_map = import_preview = import_status = import_start
