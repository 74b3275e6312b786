"""The action "import" (Nhập tệp): people written or matched by a spreadsheet import are logged under it
rather than as a list.

Only the field's choices change, which Django applies without touching the table on either database (no
rebuild on SQLite), so the append-only triggers of 0002 stay in place.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_triggers'),
    ]

    operations = [
        migrations.AlterField(
            model_name='accesslog',
            name='action',
            field=models.CharField(choices=[('view', 'Xem chi tiết'), ('list', 'Xem danh sách'), ('search', 'Tìm kiếm'), ('export', 'Xuất tệp'), ('print', 'In'), ('import', 'Nhập tệp'), ('api_view', 'API: xem chi tiết'), ('api_list', 'API: danh sách')], max_length=20, verbose_name='thao tác'),
        ),
    ]
