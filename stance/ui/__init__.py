"""The analysis page assets (static/): shared by the service's /ui page and the HTML report of `stance analyze`."""
