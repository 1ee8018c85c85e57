app_name = "hooks"

urlpatterns: list = []
